/**
 * An in-process stand-in for the analyst's own node and the network behind it, for the SDK's unit
 * tests: only the network is fake. An organisation root certifies every member node and the analyst's
 * own node (which certifies the analyst). Member nodes hold real keys (Ed25519 signing, X25519 box,
 * RFC 9497 VOPRF keys with epochs), publish real signed descriptors beside their certificates, index
 * their records under real tags with a real signed commitment (the coordinator's lookup answers are
 * complete buckets with their paths, and can be told to lie),
 * answer queries with real signed evaluations and batched DLEQ proofs, score biometric probes with the
 * real HE server, and sign real disclosure decisions. The gateway verifies the analyst's signed
 * requests and routes them as the real gateway and coordinator would, as a `Transport`.
 *
 * The member nodes are in `fake-node.test-fixture.ts`; the gateway can be told to fail a request with a
 * given HTTP status and body.
 */

import type { z } from 'zod';
import type { Rng } from '#crypto';
import {
  type Answer,
  asVeilError,
  BioQueryRequest,
  type DisclosureListResponse,
  DisclosureRequest,
  type DisclosureStatus,
  decodeWith,
  Envelope,
  type ErrorCode,
  encode,
  keyId,
  LIMITS,
  ListDisclosures,
  LookupRequest,
  QueryRequest,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import type { Credential } from './credential.ts';
import { FakeNode } from './fake-node.test-fixture.ts';
import type { FakeOrg } from './fake-org.test-fixture.ts';
import type { Transport, TransportResponse } from './transport.ts';

export { FakeNode } from './fake-node.test-fixture.ts';
export { analystCredential, FakeOrg, seeded } from './fake-org.test-fixture.ts';

export interface DisclosureRow {
  req: DisclosureRequest;
  status: DisclosureStatus;
  createdAt: number;
  decision?: Envelope;
}

/** The analyst's own node (with the coordinator behind it) as a `Transport`. */
export class FakeGateway implements Transport {
  readonly nodes = new Map<string, FakeNode>();
  /** Every request the SDK made: path and (verified) payload. */
  readonly requests: Array<{ path: string; payload: unknown }> = [];
  readonly disclosures: DisclosureRow[] = [];
  /** The next response, instead of handling the request. */
  failNext: TransportResponse | Error | undefined;

  constructor(
    readonly analyst: Credential & { org: FakeOrg },
    readonly rng: Rng,
  ) {}

  add(country: string): FakeNode {
    const n = new FakeNode(country, this.rng, this.analyst.org);
    this.nodes.set(country, n);
    return n;
  }

  node(country: string): FakeNode {
    const n = this.nodes.get(country);
    if (!n) throw new Error(`no fake node ${country}`);
    return n;
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  last<S extends z.ZodType>(path: string, schema: S): z.infer<S> {
    const r = this.requests.filter((x) => x.path === path).at(-1);
    if (!r) throw new Error(`no request to ${path}`);
    return schema.parse(r.payload);
  }

  async get(path: string): Promise<TransportResponse> {
    return this.#respond(async () => {
      if (path !== '/v1/members') throw new VeilError('not_found');
      this.requests.push({ path, payload: undefined });
      return { members: [...this.nodes.values()].map((n) => n.entry()), revocations: null };
    });
  }

  async post(path: string, body: Uint8Array): Promise<TransportResponse> {
    return this.#respond(async () => {
      const env = decodeWith(body, Envelope, path === '/v1/bio-query' ? LIMITS.maxFrameBytes : LIMITS.maxRequestBytes);
      const open = <S extends z.ZodType>(schema: S): z.infer<S> => {
        const p = verifyEnvelope(
          env,
          (kid) => {
            if (kid !== keyId.analyst(this.analyst.analystId)) throw new VeilError('unauthenticated');
            return this.analyst.signing.publicKey();
          },
          schema,
        );
        this.requests.push({ path, payload: p });
        return p;
      };
      const me = this.analyst.country;
      switch (path) {
        case '/v1/query': {
          const q = open(QueryRequest);
          return {
            id: q.id,
            answers: this.#targets(q.targets).map((c) => this.nodes.get(c)?.answerQuery(q, me) ?? { country: c, status: 'unavailable' as const }),
          };
        }
        case '/v1/lookup': {
          const l = open(LookupRequest);
          return { id: l.id, results: l.items.flatMap((it) => this.nodes.get(it.country)?.lookup(it) ?? []) };
        }
        case '/v1/bio-query': {
          const q = open(BioQueryRequest);
          const answers: Answer[] = [];
          for (const c of this.#targets(q.targets)) answers.push((await this.nodes.get(c)?.answerBio(q, me)) ?? { country: c, status: 'unavailable' });
          return { id: q.id, answers };
        }
        case '/v1/disclosures': {
          const r = open(DisclosureRequest);
          this.disclosures.push({ req: r, status: 'pending', createdAt: r.ts });
          return { id: r.id, status: 'pending' };
        }
        case '/v1/disclosures/list': {
          open(ListDisclosures);
          const items: DisclosureListResponse['items'] = this.disclosures.map((d) => ({
            id: d.req.id,
            to: d.req.to,
            status: d.status,
            createdAt: d.createdAt,
            fields: d.req.fields,
            ...(d.decision ? { decision: d.decision } : {}),
          }));
          return { items };
        }
        default:
          throw new VeilError('not_found');
      }
    });
  }

  #targets(targets: string[] | null): string[] {
    return targets ?? [...this.nodes.keys()].filter((c) => c !== this.analyst.country);
  }

  async #respond(handle: () => Promise<unknown>): Promise<TransportResponse> {
    const fail = this.failNext;
    if (fail) {
      this.failNext = undefined;
      if (fail instanceof Error) throw fail;
      return fail;
    }
    try {
      return { status: 200, bytes: encode(await handle()) };
    } catch (e) {
      return errorResponse(400, asVeilError(e).code);
    }
  }
}

/** An error response as the real gateway sends it. */
export function errorResponse(status: number, code: ErrorCode): TransportResponse {
  return { status, bytes: encode({ error: { code, message: 'error' } }) };
}
