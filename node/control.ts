/**
 * The running node's local status socket, `DIR/control.sock`: `veil status` connects and reads one JSON
 * document — the coordinator link's state, the members online (asked of the coordinator at that
 * moment), the members the node knows — then the node closes the connection. Nothing is read from the
 * client. Only the directory's owner can reach the socket: the node directory is 0700.
 */
import { existsSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '#platform';
import { VeilError } from '#protocol';

/** Unix socket paths are limited to about 107 bytes; longer directories go without the socket. */
const MAX_SOCKET_PATH = 100;

export const LiveStatus = z.strictObject({
  pid: z.number().int(),
  url: z.string(),
  consoleUrl: z.string(),
  coordinator: z.strictObject({
    url: z.string(),
    connected: z.boolean(),
    /** Failed attempts since the link was last up, and why the last one failed (with the fix). */
    attempts: z.number().int(),
    reason: z.string().optional(),
  }),
  /** Countries connected to the coordinator now (null when this node is not connected). */
  online: z.array(z.string()).nullable(),
  /** Countries in the member directory the coordinator sent (certified members). */
  members: z.array(z.string()),
});
export type LiveStatus = z.infer<typeof LiveStatus>;

export function controlPath(dir: string): string {
  return join(dir, 'control.sock');
}

/** Serve `status()` on the directory's control socket; undefined when the path is too long for one. */
export async function startControl(dir: string, status: () => Promise<LiveStatus>, log: Logger): Promise<{ close(): Promise<void> } | undefined> {
  const path = controlPath(dir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    log.warn('node directory path too long for a status socket: `veil status` shows what is on disk only');
    return undefined;
  }
  // The directory's lock is ours: a socket file left there is from a process that is gone.
  if (existsSync(path)) rmSync(path, { force: true });
  const server: Server = createServer((sock) => {
    sock.on('error', () => sock.destroy());
    status().then(
      (s) => sock.end(`${JSON.stringify(s)}\n`),
      (err: unknown) => {
        log.error('status failed', err);
        sock.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}

/** Ask a running node for its live status over its control socket. */
export function readLiveStatus(dir: string, timeoutMs = 5000): Promise<LiveStatus> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(controlPath(dir));
    let body = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new VeilError('timeout', 'the node did not answer on its status socket'));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      body += d;
      if (body.length > 1_000_000) sock.destroy();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new VeilError('unavailable', `the node's status socket is not answering (${e.code ?? 'error'})`));
    });
    sock.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(LiveStatus.parse(JSON.parse(body)));
      } catch {
        reject(new VeilError('bad_request', 'the node sent an unreadable status'));
      }
    });
  });
}
