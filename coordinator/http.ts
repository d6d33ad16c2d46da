/**
 * The coordinator's HTTP surface: `GET /v1/health` (name, admitted and connected member counts). Nodes
 * reach everything else over the WebSocket at `/v1/ws`.
 */
import { Hono } from 'hono';

export interface Health {
  readonly name: string;
  /** Admitted, active members. */
  readonly members: number;
  /** Members with a live, authenticated connection. */
  readonly connected: number;
}

export function createHttpApp(deps: { health: () => Promise<Health> }): Hono {
  const app = new Hono();
  app.get('/v1/health', async (c) => {
    const h = await deps.health();
    return c.json({ ok: true, name: h.name, members: h.members, connected: h.connected });
  });
  return app;
}
