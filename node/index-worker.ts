/**
 * Worker thread of the index builder: evaluates the node's OPRF on its own match keys (RFC 9497 §3.3.1
 * Evaluate) and returns 16-byte tags. Inputs and outputs travel as one packed buffer per task.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluate, initCrypto, OprfKey } from '#crypto';
import { LIMITS } from '#protocol';
import { unpackInputs } from './tags.ts';

await initCrypto();
const port = parentPort;
if (!port) throw new Error('index-worker.ts runs as a worker thread');
const keys = new Map<number, OprfKey>();
for (const e of workerData.epochs as Array<{ epoch: number; secret: Uint8Array }>) keys.set(e.epoch, OprfKey.fromBytes('voprf', e.secret));

port.on('message', (msg: { id: number; epoch: number; packed: Uint8Array }) => {
  const key = keys.get(msg.epoch);
  if (!key) throw new Error(`no key for epoch ${msg.epoch}`);
  const inputs = unpackInputs(msg.packed);
  const out = new Uint8Array(inputs.length * LIMITS.tagBytes);
  for (const [i, input] of inputs.entries()) out.set(evaluate(key, input).subarray(0, LIMITS.tagBytes), i * LIMITS.tagBytes);
  port.postMessage({ id: msg.id, tags: out }, [out.buffer]);
});
port.postMessage({ ready: true });
