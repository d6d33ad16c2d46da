/**
 * `veil status` for a node: what its directory holds (records, index epochs, unpublished chunks,
 * unsent mail, requests waiting for its data owners, today's evaluation budgets of each requesting
 * country) and, when the node runs, what its process knows — read from its status socket: the
 * coordinator link and why it is down, the members online (asked of the coordinator), the members it
 * knows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockHolder } from '#platform';
import { loadNodeConfig, nodePaths } from './config.ts';
import { type LiveStatus, readLiveStatus } from './control.ts';
import { dailyBudget, parsePolicy } from './policy.ts';
import { NodeStore } from './store/sqlite-store.ts';

export interface NodeStatus {
  country: string;
  dir: string;
  /** The process running the node (holding the directory's lock), if any. */
  running: { pid: number; since: string } | null;
  /** What the running node reports; null when it is not running or cannot be asked. */
  live: LiveStatus | null;
  /** Why `live` is missing although the node runs. */
  liveError?: string;
  coordinatorUrl: string | null;
  records: number;
  epochs: Array<{ epoch: number; state: string; tags: number }>;
  unpublishedChunks: number;
  unsentMail: number;
  pendingApprovals: number;
  analysts: number;
  /** Today's (UTC) OPRF evaluations per requesting country: used, limit, left. */
  budgets: { day: string; defaultLimit: number; byCountry: Array<{ country: string; used: number; limit: number; left: number }> };
}

export async function nodeStatus(dir: string, now = Date.now()): Promise<NodeStatus> {
  const cfg = loadNodeConfig(dir);
  const policy = parsePolicy(readFileSync(join(dir, cfg.policyFile), 'utf8'));
  const day = new Date(now).toISOString().slice(0, 10);
  const store = new NodeStore(nodePaths(dir).db);
  let offline: Omit<NodeStatus, 'running' | 'live' | 'country' | 'dir' | 'coordinatorUrl'>;
  try {
    offline = {
      records: store.records.count(),
      epochs: store.records.epochs().map((e) => ({ epoch: e.epoch, state: e.state, tags: store.records.keyCount(e.epoch) })),
      unpublishedChunks: store.records.outboxCount(),
      unsentMail: store.mail.outboxCount(),
      pendingApprovals: store.disclosures.listIncoming('pending', 10_000).length,
      analysts: store.analysts.list().filter((a) => !a.revoked).length,
      budgets: {
        day,
        defaultLimit: policy.budgets.dailyEvaluations,
        byCountry: store.budgets
          .usage(day)
          .filter((u) => /^[A-Z]{2}$/.test(u.requester))
          .map((u) => {
            const limit = dailyBudget(policy, u.requester);
            return { country: u.requester, used: u.used, limit, left: Math.max(0, limit - u.used) };
          }),
      },
    };
  } finally {
    store.close();
  }
  const holder = lockHolder(dir);
  let live: LiveStatus | null = null;
  let liveError: string | undefined;
  if (holder) {
    try {
      live = await readLiveStatus(dir);
    } catch (e) {
      liveError = e instanceof Error ? e.message : 'unknown';
    }
  }
  return {
    country: cfg.country,
    dir,
    running: holder ? { pid: holder.pid, since: holder.startedAt } : null,
    live,
    ...(liveError !== undefined ? { liveError } : {}),
    coordinatorUrl: cfg.coordinatorUrl,
    ...offline,
  };
}
