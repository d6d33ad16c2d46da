/**
 * The member directory as the analyst's own node last reported it: fetched on first use, again once it
 * is older than 30 s, and on demand when an answer names a signer or an OPRF epoch the directory does
 * not know yet (a member rotated its key since the last fetch). Certificates and descriptors are
 * verified against the pinned organisation root by `MemberDirectory` before use, so neither the own
 * node nor the coordinator can substitute another country's keys.
 */
import { keyId, MembersResponse, type TrustAnchor, VeilError } from '#protocol';
import type { Clock } from './flow-deps.ts';
import { type Member, MemberDirectory } from './members.ts';
import type { NodeApi } from './node-api.ts';

const MAX_AGE_MS = 30_000;

export class KnownMembers {
  readonly #directory: MemberDirectory;
  readonly #api: NodeApi;
  readonly #clock: Clock;
  #fetchedAt: number | undefined;

  constructor(deps: { api: NodeApi; clock: Clock; anchor: TrustAnchor }) {
    this.#api = deps.api;
    this.#clock = deps.clock;
    this.#directory = new MemberDirectory(deps.anchor, () => deps.clock.now());
  }

  /** Every verified member; refetched when `refresh` is set or the list is stale. */
  async list(refresh = false): Promise<Member[]> {
    if (refresh || this.#fetchedAt === undefined || this.#clock.now() - this.#fetchedAt > MAX_AGE_MS) {
      const r = await this.#api.get('/v1/members', MembersResponse);
      this.#directory.update(r.members, r.revocations);
      this.#fetchedAt = this.#clock.now();
    }
    return this.#directory.all();
  }

  /** The member as currently known, without fetching. */
  get(country: string): Member | undefined {
    return this.#directory.get(country);
  }

  /** The member, fetching the directory once more if it is not known yet. */
  async find(country: string): Promise<Member | undefined> {
    const m = this.#directory.get(country);
    if (m) return m;
    await this.list(true);
    return this.#directory.get(country);
  }
}

/**
 * A `verifyEnvelope` key resolver accepting only `country`'s node key: anything else (or an unknown
 * member) is `unknown_member`.
 */
export function nodeSigner(country: string, member: Member | undefined, detail?: string): (kid: string) => Uint8Array {
  return (kid) => {
    if (!member || kid !== keyId.node(country)) throw new VeilError('unknown_member', detail);
    return member.signPub;
  };
}
