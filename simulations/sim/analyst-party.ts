/**
 * An analyst in a simulation: the real SDK (`VeilClient`) with its credential, the run's clock and
 * seeded randomness, seeded HE sessions, and a transport that carries its HTTP requests over a
 * simulated LAN link to its own node's gateway app. The SDK's work before a request leaves and after a
 * response arrives is charged to the analyst as modelled CPU time (`costs.ts`).
 */
import { VeilError } from '#protocol';
import { type Credential, type Transport, type TransportResponse, VeilClient } from '#sdk';
import { analystRequestCost, analystResponseCost, type Costs, gatewayCost } from './costs.ts';
import { Cpu } from './cpu.ts';
import { inspectHttp } from './inspect.ts';
import type { SimNetwork } from './links.ts';
import type { NodeParty } from './node-party.ts';
import type { Observer } from './observer.ts';
import type { SimRng } from './rng.ts';
import { seededSessions } from './seeded-seal.ts';

/** Bytes an HTTP request or response adds around its body (request line, headers). */
const HTTP_OVERHEAD = 250;

export interface AnalystPartyDeps {
  readonly credential: Credential;
  readonly node: NodeParty;
  readonly net: SimNetwork;
  readonly observer: Observer;
  readonly costs: Costs;
  readonly rng: SimRng;
}

export class AnalystParty {
  readonly name: string;
  readonly cpu: Cpu;
  readonly country: string;
  readonly credential: Credential;
  #client: VeilClient | undefined;
  #bioStarted = false;
  readonly #d: AnalystPartyDeps;

  constructor(d: AnalystPartyDeps) {
    this.#d = d;
    this.credential = d.credential;
    this.country = d.credential.country;
    this.name = `analyst:${this.country}/${d.credential.analystId}`;
    this.cpu = new Cpu(this.name, d.net.sched);
  }

  async client(): Promise<VeilClient> {
    this.#client ??= await VeilClient.connect(this.#d.credential, {
      transport: this.#transport(),
      rng: this.#d.rng.child('sdk').bytes,
      clock: { now: () => this.#d.net.sched.nowMs },
      bioSessions: seededSessions(this.#d.rng.child('he')),
    });
    return this.#client;
  }

  async close(): Promise<void> {
    await this.#client?.close();
  }

  #transport(): Transport {
    return {
      get: (path) => this.#send('GET', path, undefined),
      post: (path, body) => this.#send('POST', path, body),
    };
  }

  #send(method: 'GET' | 'POST', path: string, body: Uint8Array | undefined): Promise<TransportResponse> {
    const { net, node, observer, costs } = this.#d;
    const sched = net.sched;
    const me = this.name;
    return new Promise((resolve, reject) => {
      const req = inspectHttp(method, path, body, false);
      const first = path === '/v1/bio-query' && !this.#bioStarted;
      if (path === '/v1/bio-query') this.#bioStarted = true;
      const size = (body?.length ?? 0) + HTTP_OVERHEAD;
      const unavailable = () => reject(new VeilError('unavailable', 'the node is unreachable (simulated)'));
      this.cpu.run(analystRequestCost(req, costs, first), () => {
        const sentAt = sched.now;
        net.send(me, node.name, size, node.name, () => {
          if (!node.up) {
            net.send(node.name, me, HTTP_OVERHEAD, me, unavailable, unavailable);
            return;
          }
          const { start, done } = node.cpu.run(gatewayCost(costs), () => {
            node.http(method, path, body).then(
              (res) => {
                if (res && res.status >= 400) console.error('HTTP', res.status, path, Buffer.from(res.bytes).toString('latin1').slice(0, 300));
                if (!res) {
                  net.send(node.name, me, HTTP_OVERHEAD, me, unavailable, unavailable);
                  return;
                }
                const respAt = sched.now;
                net.send(
                  node.name,
                  me,
                  res.bytes.length + HTTP_OVERHEAD,
                  me,
                  () => {
                    const x = inspectHttp(method, path, res.bytes, true);
                    const arrivedAt = sched.now;
                    const r = this.cpu.run(analystResponseCost(x, costs), () => resolve({ status: res.status, bytes: res.bytes }));
                    observer.message({
                      channel: 'gw>analyst',
                      from: node.name,
                      to: me,
                      bytes: res.bytes.length + HTTP_OVERHEAD,
                      sentAt: respAt,
                      arrivedAt,
                      startedAt: r.start,
                      doneAt: r.done,
                      x,
                    });
                  },
                  unavailable,
                );
              },
              (e: unknown) => {
                sched.fail(e);
              },
            );
          });
          observer.message({
            channel: 'analyst>gw',
            from: me,
            to: node.name,
            bytes: size,
            sentAt,
            arrivedAt: sched.now,
            startedAt: start,
            doneAt: done,
            x: req,
          });
        });
      });
    });
  }
}
