/**
 * The analyst commands' connection to their own node: the SDK client from a credential file, loaded
 * only when the command runs, closed when it is done.
 */
import type { VeilClient } from '#sdk';

export async function connectAnalyst<T>(o: { cred: string; nodeUrl?: string }, fn: (client: VeilClient) => Promise<T>): Promise<T> {
  const { VeilClient } = await import('#sdk');
  const client = await VeilClient.connect(o.cred, o.nodeUrl ? { nodeUrl: o.nodeUrl } : {});
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
