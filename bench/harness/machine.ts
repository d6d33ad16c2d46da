/**
 * The machine a benchmark ran on, recorded beside its figures: cores, CPU model, Node version, platform,
 * memory, and the load average at the start and the end (a busy machine gives low figures).
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  memGiB: number;
  loadAvgStart: number;
  /** NaN until `loadAverage()` is read again at the end of the run. */
  loadAvgEnd: number;
}

/** The one-minute load average, rounded to 0.01. */
export function loadAverage(): number {
  return Math.round((loadavg()[0] ?? NaN) * 100) / 100;
}

export function describeMachine(): MachineInfo {
  const cpuList = cpus();
  return {
    cores: availableParallelism(),
    cpuModel: cpuList[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAvgStart: loadAverage(),
    loadAvgEnd: NaN,
  };
}
