/**
 * The simulation's fsync for deferred commits (platform/wal-sync.ts): done on the calling thread, so a
 * node's answer or the coordinator's audit batch is released in the same turn as in a deterministic
 * replay. On libuv's thread pool (the deployed default) its completion would land at a moment set by the
 * real disk, between the scheduler's virtual-time events, and the same seed would no longer give the
 * same results. Durability is the same: what is acknowledged is on disk.
 */
import { fsyncSync } from 'node:fs';
import type { FsyncFn } from '#platform';

export const syncFsync: FsyncFn = (fd, done) => {
  try {
    fsyncSync(fd);
  } catch (e) {
    done(e as NodeJS.ErrnoException);
    return;
  }
  done(null);
};
