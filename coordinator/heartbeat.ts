/**
 * Liveness of member connections: every interval each session is pinged; one that has not answered
 * the previous ping with a pong is terminated (its close then ends the session).
 */
import type { Clock } from '#platform';
import type { SessionRegistry } from './sessions.ts';

export function startHeartbeat(deps: { sessions: SessionRegistry; clock: Clock; intervalMs: number }): { stop(): void } {
  const timer = deps.clock.setInterval(() => {
    for (const s of deps.sessions.all()) {
      if (!s.alive) {
        s.socket.terminate();
        continue;
      }
      s.alive = false;
      s.socket.ping();
    }
  }, deps.intervalMs);
  return { stop: () => deps.clock.clear(timer) };
}
