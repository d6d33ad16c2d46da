/**
 * Worker thread of the SDK's verify pool (`verify-pool.ts`): checks batches of query answers with
 * `checkAnswer` and sends the results back in order.
 */
import { parentPort } from 'node:worker_threads';
import { initCrypto } from '#crypto';
import { type AnswerJob, checkAnswer } from './verify-answer.ts';

await initCrypto();
const port = parentPort;
if (!port) throw new Error('verify-worker.ts runs as a worker thread');
port.on('message', (msg: { jobs: AnswerJob[] }) => {
  port.postMessage({ results: msg.jobs.map(checkAnswer) });
});
port.postMessage({ ready: true });
