/**
 * What each party may learn, as the design states it (docs/design.md §1 and §8, with §2–§4 for what
 * each step shows), turned into a table the leakage ledger checks observations against.
 *
 * Values are classified by the field they sit in (`categoryOf`). For each party role a category is:
 * - `allowed`: the design says this party sees it;
 * - `unlisted`: the implementation shows it to this party and the design describes it as relayed in
 *   the clear (§2, §4), but the table of §8 does not list it — shown in amber, not an error;
 * - `excess`: the design says this party does not learn it — shown in red; the run exits non-zero.
 * Any category not in a role's table is `excess`.
 */

export type Verdict = 'allowed' | 'unlisted' | 'excess';

/** Recipient roles: a node appears in several, by what it receives. */
export const ROLES = ['coordinator', 'target-node', 'gateway', 'owner-node', 'node', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

const SEGMENT_CATEGORY: Readonly<Record<string, string>> = {
  kid: 'key-id',
  id: 'request-id',
  mid: 'request-id',
  mids: 'request-id',
  ref: 'request-id',
  queryId: 'request-id',
  t: 'protocol',
  v: 'protocol',
  ts: 'protocol',
  nonce: 'protocol',
  seq: 'protocol',
  epoch: 'protocol',
  indexSeq: 'protocol',
  final: 'protocol',
  createdAt: 'protocol',
  decidedAt: 'protocol',
  from: 'country',
  to: 'country',
  country: 'country',
  targets: 'country',
  name: 'country',
  analyst: 'analyst-account',
  purpose: 'search-context',
  caseRef: 'search-context',
  legalBasis: 'search-context',
  handling: 'search-context',
  cls: 'match-class',
  classes: 'match-class',
  blinded: 'blinded-element',
  evaluated: 'evaluated-element',
  proof: 'dleq-proof',
  items: 'answered-items',
  mode: 'lookup-mode',
  bucket: 'bucket-number',
  path: 'index-commitment',
  root: 'index-commitment',
  count: 'index-commitment',
  probe: 'he-ciphertext',
  result: 'he-ciphertext',
  sessionKeys: 'he-public-keys',
  sessionId: 'he-session-id',
  positions: 'gallery-size',
  modality: 'match-class',
  sealedClaim: 'sealed-box',
  sealed: 'sealed-box',
  analystBoxPub: 'public-key',
  boxPub: 'public-key',
  signPub: 'public-key',
  pub: 'public-key',
  tlsPub: 'public-key',
  rootPub: 'public-key',
  x509: 'certificate',
  serial: 'certificate',
  org: 'certificate',
  role: 'certificate',
  roles: 'certificate',
  notBefore: 'certificate',
  notAfter: 'certificate',
  issuedAt: 'certificate',
  nextUpdate: 'certificate',
  since: 'certificate',
  entries: 'index-entry',
  adds: 'index-entry',
  removes: 'index-entry',
  fields: 'requested-fields',
  status: 'status',
  code: 'status',
  caSha256: 'certificate',
  simulated: 'certificate',
};

/** The category of the value at `path` (`v` is the value, for fields whose meaning depends on its size). */
export function categoryOf(path: string, v: unknown): string {
  const last = path.slice(path.lastIndexOf('.') + 1);
  if (last === 'keys' && path.includes('lookup')) return v instanceof Uint8Array && v.length === 16 ? 'query-tag' : 'tag-prefix';
  if (last === 'entries' || last === 'adds' || last === 'removes') return v instanceof Uint8Array && v.length === 16 ? 'index-tag' : 'hit-token';
  return SEGMENT_CATEGORY[last] ?? `unclassified:${last}`;
}

const ALWAYS: Readonly<Record<string, string>> = {
  'key-id': '§5 envelopes name their signer',
  'request-id': '§5 request ids',
  protocol: '§5 timestamps, nonces, versions',
  country: '§8 who asked whom',
  status: '§2.5 per-country status',
  certificate: 'docs/trust.md: certificates are public',
  'public-key': 'docs/trust.md: public keys are distributed',
  'sealed-box': '§4 sealed to the recipient (opaque to others)',
};

/** Per role: category → [verdict, where the design says so]. */
export const POLICY: Readonly<Record<Role, Readonly<Record<string, readonly [Verdict, string]>>>> = {
  coordinator: {
    'analyst-account': ['unlisted', '§2.2 the forwarded query names the analyst; §8 lists only countries'],
    'search-context': ['unlisted', '§2.1/§4 purpose, case, legal basis travel in the clear; §8 does not list them'],
    'match-class': ['unlisted', '§8 "how many keys"; the class of each is visible too'],
    'blinded-element': ['allowed', '§2 blinded elements are opaque group elements'],
    'evaluated-element': ['allowed', '§2.5 routed as opaque bytes'],
    'dleq-proof': ['allowed', '§2.4 proof travels with the answer'],
    'answered-items': ['allowed', '§2.4 which items were evaluated'],
    'lookup-mode': ['allowed', '§2.6'],
    'query-tag': ['allowed', '§8 in exact lookups which country’s index held a tag'],
    'tag-prefix': ['allowed', '§2.6 bucket lookups: a 2–4 byte prefix'],
    'bucket-number': ['allowed', 'docs/trust.md committed buckets'],
    'index-tag': ['allowed', '§1 the published index: pseudorandom tags'],
    'hit-token': ['allowed', '§1 opaque hit tokens'],
    'index-commitment': ['allowed', 'docs/trust.md index commitments'],
    'he-ciphertext': ['allowed', '§3 forwards ciphertexts'],
    'he-public-keys': ['allowed', 'docs/biometrics.md session keys pass through'],
    'he-session-id': ['allowed', 'docs/biometrics.md the coordinator sees session ids'],
    'gallery-size': ['allowed', '§8 sizes'],
    'requested-fields': ['allowed', 'docs/architecture.md requested field names are metadata'],
  },
  'target-node': {
    'analyst-account': ['allowed', '§8 the requesting country and analyst account'],
    'search-context': ['allowed', '§8 purpose; §2.4 policy and audit'],
    'match-class': ['allowed', '§8 classes'],
    'blinded-element': ['allowed', '§2.4 evaluates blinded elements'],
    'he-ciphertext': ['allowed', '§3 scores the encrypted probe'],
    'he-public-keys': ['allowed', 'docs/biometrics.md session keys'],
    'he-session-id': ['allowed', 'docs/biometrics.md node learns the session id'],
  },
  gateway: {
    'analyst-account': ['allowed', '§8 its own analyst'],
    'search-context': ['allowed', '§8 purpose, case, legal basis'],
    'match-class': ['allowed', '§8 number of keys (and their classes)'],
    'blinded-element': ['allowed', '§1 the gateway sees only blinded elements'],
    'evaluated-element': ['allowed', '§2.5 answers pass through, opaque without the blinds'],
    'dleq-proof': ['allowed', '§2.4'],
    'answered-items': ['allowed', '§2.4'],
    'lookup-mode': ['allowed', '§2.6'],
    'tag-prefix': ['allowed', '§2.6 bucket lookups'],
    'query-tag': [
      'excess',
      '§1/§8 the analyst’s node sees only blinded elements and never learns results; exact lookups show it the tags and, with the bucket answers, which countries hold them',
    ],
    'bucket-number': ['allowed', 'docs/trust.md'],
    'index-tag': ['allowed', 'bucket contents (without the query’s tag they say nothing about it)'],
    'hit-token': ['allowed', 'opaque tokens in bucket answers'],
    'index-commitment': ['allowed', 'docs/trust.md'],
    'he-ciphertext': ['allowed', '§1 only ciphertexts'],
    'he-public-keys': ['allowed', 'docs/biometrics.md'],
    'he-session-id': ['allowed', 'docs/biometrics.md'],
    'gallery-size': ['allowed', '§8 sizes'],
    'requested-fields': ['allowed', '§4.2 records the request'],
  },
  'owner-node': {
    'analyst-account': ['allowed', '§4.3 the request names its analyst'],
    'search-context': ['allowed', '§4.1'],
    'requested-fields': ['allowed', '§4.1'],
    'match-class': ['allowed', '§4 decision names the class'],
  },
  node: {
    'index-commitment': ['allowed', 'docs/trust.md'],
    'analyst-account': ['allowed', '§4 decisions name the requesting analyst'],
    'requested-fields': ['allowed', '§4'],
    'match-class': ['allowed', '§4'],
  },
  analyst: {
    'evaluated-element': ['allowed', '§2.6 the SDK finalizes them'],
    'dleq-proof': ['allowed', '§2.6 the SDK verifies it'],
    'answered-items': ['allowed', '§2.6'],
    'index-tag': ['allowed', '§2.6 matching happens in the SDK'],
    'hit-token': ['allowed', '§8 an opaque hit token'],
    'bucket-number': ['allowed', 'docs/trust.md'],
    'index-commitment': ['allowed', 'docs/trust.md the SDK checks proofs'],
    'he-ciphertext': ['allowed', '§3 decrypts the masked signs'],
    'gallery-size': ['allowed', '§8 positions'],
    'analyst-account': ['allowed', 'its own account'],
    'search-context': ['allowed', 'its own request'],
    'match-class': ['allowed', '§8 the match classes that met'],
    'requested-fields': ['allowed', 'its own request'],
    'he-session-id': ['allowed', 'its own session'],
  },
};

export function verdict(role: Role, category: string): readonly [Verdict, string] {
  const own = POLICY[role][category];
  if (own) return own;
  const always = ALWAYS[category];
  if (always) return ['allowed', always];
  if (category.startsWith('unclassified:')) return ['unlisted', 'a field the ledger does not classify yet'];
  return ['excess', `§8 does not give the ${role} this`];
}
