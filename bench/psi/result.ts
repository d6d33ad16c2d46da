/**
 * The shape of `bench/results/psi.json`: the headline figures, their targets, and every section's detail.
 * Keys are read by people and scripts comparing runs: add keys, do not rename them.
 */
import type { OprfRates } from '#crypto';
import type { MachineInfo } from '../harness/machine.ts';
import type { LatencyStats } from '../harness/stats.ts';
import type { PSI_TARGETS } from './config.ts';

export interface E2eRun {
  setting: 'in-process' | 'processes';
  nodes: number;
  recordsPerNode: number;
  sequential: LatencyStats;
  concurrent: LatencyStats & { concurrency: number; queriesPerSec: number; wallMs: number };
  /** Queries with at least one country reporting a hit (subjects are half existing persons, half invented). */
  hitQueries: number;
  /** Country answers by status over the sequential run. */
  statuses: Record<string, number>;
  meanKeysPerQuery: number;
  /** Where the sequential time went (in-process only): SDK HTTP calls vs the rest (client crypto). */
  breakdownMs?: { queryCall: number; lookupCall: number; membersCall: number; clientSide: number };
  /**
   * The lookup answers of the sequential run (in-process only): wire bytes and proof bytes (commitments
   * and bucket paths) per lookup, and the SDK's time from the answer's arrival to the query's result
   * (decode, commitment signature and path checks, matching).
   */
  lookupProof?: { lookups: number; wireBytesPerLookup: number; proofBytesPerLookup: number; verify: LatencyStats };
  /** Same run, same network, an SDK checking answers on its own thread (`verifyThreads: 0`), half the queries. */
  inlineVerify?: { p50Ms: number; p99Ms: number; queriesPerSec: number };
  setupMs: number;
  otherCpuPct: number | null;
}

export interface FanoutPhase {
  kind: 'open-loop' | 'closed-loop';
  offeredPerSec: number | null;
  concurrency: number | null;
  durationMs: number;
  sent: number;
  completed: number;
  /**
   * Results received per second while sending, first tenth of the window excluded (results of the first
   * queries are still on their way then): at steady state this equals the offered rate.
   */
  completedPerSec: number;
  latency: LatencyStats;
  /** Answers per result that were not `answered` (timeouts at the deadline, unavailable). */
  incompleteAnswers: number;
  errors: Record<string, number>;
  /** CPU used by the coordinator process and by this (load) process, in % of one core. */
  coordinatorCpuPct: number | null;
  /** Coordinator CPU time per completed query: falls as the micro-batches grow. */
  coordinatorCpuMsPerQuery: number | null;
  loadCpuPct: number;
  /** CPU used by every other process on the machine meanwhile (other people's work): contamination. */
  otherCpuPct: number | null;
  /** Queries never answered before the drain gave up. */
  lost: number;
}

export interface PsiBenchResult {
  machine: MachineInfo;
  /** The commit the code was at (uncommitted changes are not recorded). */
  commit: string | null;
  startedAt: string;
  quick: boolean;
  // headline figures
  oprfEvalsPerSecPerCore: number;
  libsodiumScalarMultsPerSec: number;
  oprfRatioToScalarMult: number;
  indexKeysPerSec: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  e2eQueriesPerSec: number;
  /** Proof bytes (commitments, bucket paths) per lookup, and the SDK's p50 time checking a lookup answer. */
  lookupProofBytes: number | null;
  lookupVerifyMs: number | null;
  fanoutQueriesPerSec: number;
  fanoutP99Ms: number;
  targets: typeof PSI_TARGETS;
  // detail
  oprf: {
    representativeBatch: number;
    batches: Array<{ batchSize: number; elementsPerSec: number; batchesPerSec: number; ratioToScalarMult: number; scalarMultsPerElement: number }>;
    verify: Array<{ batchSize: number; elementsPerSec: number; batchesPerSec: number }>;
    rates: OprfRates;
    otherCpuPct: number | null;
  };
  index: {
    records: number;
    keys: number;
    workers: number;
    keysPerSecSteady: number;
    keysPerSecWholePhase: number;
    /** Over the second half of the keys only: fresh workers run libsodium's wasm cold at first. */
    keysPerSecSecondHalf: number;
    importRecordsPerSec: number;
    importMs: number;
    singleThreadEvaluatePerSec: number;
    speedupOverSingleThread: number;
    otherCpuPct: number | null;
  };
  e2e: E2eRun & {
    /** All OPRF work of one query on one core (what the in-process run must at least spend). */
    cryptoFloorMs: number;
    /** OPRF work on the critical path when every target has its own core: client + one target. */
    distributedCryptoFloorMs: number;
  };
  e2eProcesses?: E2eRun;
  fanout: {
    members: number;
    targetsPerQuery: number;
    itemsPerQuery: number;
    setupMs: number;
    loginAndDescriptorMs: number;
    phases: Record<string, FanoutPhase>;
  };
}
