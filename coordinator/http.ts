/**
 * The coordinator's HTTP surface: `GET /v1/health` (name, admitted and connected member counts), and
 * for operators `/healthz`, `/readyz` and `/metrics` (platform `ops-http.ts`). Nodes reach everything
 * else over the WebSocket at `/v1/ws`.
 */
import { Hono } from 'hono';
import { ERROR_HEADER, mountOpsRoutes, type OpsDeps, opsMiddleware } from '#platform';
import { asVeilError } from '#protocol';

export interface Health {
  readonly name: string;
  /** Admitted, active members. */
  readonly members: number;
  /** Members with a live, authenticated connection. */
  readonly connected: number;
}

/** The routes of this app (metric labels). */
export const COORDINATOR_ROUTES = ['/v1/health'] as const;

export function createHttpApp(deps: { health: () => Promise<Health>; ops?: OpsDeps }): Hono {
  const app = new Hono();
  if (deps.ops) {
    app.use(...opsMiddleware(deps.ops));
    mountOpsRoutes(app, deps.ops);
  }
  app.onError((err, c) => {
    const e = asVeilError(err);
    c.header(ERROR_HEADER, e.code);
    return c.json({ error: e.toWire() }, e.code === 'unavailable' ? 503 : 500);
  });
  app.get('/v1/health', async (c) => {
    const h = await deps.health();
    return c.json({ ok: true, name: h.name, members: h.members, connected: h.connected });
  });
  return app;
}
