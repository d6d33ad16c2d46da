/**
 * One process per node or coordinator directory. `veil node start` and `veil coordinator start` hold
 * `DIR/lock` (holding their pid) while they run; a second process on the same directory is refused
 * with the first one's pid instead of fighting it over the coordinator link and the database. A lock
 * left by a process that no longer exists (a crash, SIGKILL) is taken over.
 *
 * Creation is exclusive (`wx`). Taking over a stale lock renames it away first: rename is atomic, so
 * of two processes finding the same stale lock only one moves it, and the other retries and finds the
 * new owner.
 */
import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VeilError } from '#protocol';

export interface DirLock {
  readonly path: string;
  /** Remove the lock (only if it is still this process's). */
  release(): void;
}

interface LockContent {
  pid: number;
  startedAt: string;
}

export function lockPath(dir: string): string {
  return join(dir, 'lock');
}

/** The process holding `dir`'s lock, if it is alive. */
export function lockHolder(dir: string): LockContent | undefined {
  const held = readLock(lockPath(dir));
  return held && alive(held.pid) ? held : undefined;
}

/** Take `dir`'s lock for this process, or throw `conflict` naming the process that holds it. */
export function lockDir(dir: string, what: string): DirLock {
  const path = lockPath(dir);
  const mine: LockContent = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(mine)}\n`, { flag: 'wx', mode: 0o600 });
      return {
        path,
        release: () => {
          if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = readLock(path);
    if (held && held.pid !== process.pid && alive(held.pid)) throw inUse(dir, what, held);
    // Stale (its process is gone) or unreadable: move it away, atomically, then try again.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      continue;
    }
    // Another process may have replaced the stale lock with its own just before the rename: put it back.
    const moved = readLock(aside);
    if (moved && moved.pid !== process.pid && alive(moved.pid)) {
      try {
        linkSync(aside, path);
      } catch {
        // a third process holds it now; it is the owner either way
      }
      rmSync(aside, { force: true });
      throw inUse(dir, what, moved);
    }
    rmSync(aside, { force: true });
  }
  throw new VeilError('conflict', `could not take the lock of ${dir}: other processes keep taking it`, { hint: `make sure only one veil ${what} uses ${dir}` });
}

function inUse(dir: string, what: string, held: LockContent): VeilError {
  return new VeilError('conflict', `${dir} is in use by process ${held.pid} (a ${what} started ${held.startedAt})`, {
    hint: `stop that process first (kill ${held.pid}); if it is not a veil ${what}, delete ${lockPath(dir)}`,
  });
}

function readLock(path: string): LockContent | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    return typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 ? { pid: v.pid, startedAt: String(v.startedAt ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
