/**
 * The analyst API of a node (the gateway), declared once: every route with the zod schemas its
 * handler validates — the payload an analyst signs, the message sent back — from which the OpenAPI
 * document (`/openapi.json`, `/docs`) is generated. The handlers in `gateway.ts` take their paths and
 * schemas from here, so the document cannot describe another API than the one served.
 */
import { z } from 'zod';
import { type ApiInfo, type ApiRoute, METRICS_SECURITY, MSGPACK_TYPE, msgpackBody, msgpackError, OPS_API, openApiDocument, signedBody } from '#platform';
import {
  BioQueryRequest,
  DisclosureAccepted,
  DisclosureListResponse,
  DisclosureRequest,
  ListDisclosures,
  LookupRequest,
  LookupResponse,
  MembersResponse,
  QueryRequest,
  QueryResponse,
} from '#protocol';

/** `GET /v1/health`: the node's state as its analysts' tools see it. */
export const GatewayHealth = z.strictObject({
  ok: z.literal(true),
  country: z.string(),
  coordinator: z.enum(['connected', 'disconnected']),
  unpublishedChunks: z.number().int().nonnegative(),
  unsentMail: z.number().int().nonnegative(),
});
export type GatewayHealth = z.infer<typeof GatewayHealth>;

const TAG = 'analyst API';
const refusals = {
  400: msgpackError('malformed body, bad schema or bad group element'),
  401: msgpackError('not signed by a registered, unrevoked analyst key'),
  409: msgpackError('replayed envelope, or a request id reused with other content'),
  413: msgpackError('body over the size cap'),
  429: msgpackError('rate_limited: the analyst’s or the country’s bucket is empty, or too many requests in flight'),
  503: msgpackError('coordinator not connected, or the node is shutting down'),
  504: msgpackError('the coordinator did not answer in time'),
};

export const GATEWAY_API = {
  health: {
    method: 'get',
    path: '/v1/health',
    tag: TAG,
    summary: 'Node state: coordinator link, unpublished index chunks, unsent mail',
    responses: { 200: { description: 'state', body: { contentType: 'application/json', schema: GatewayHealth } } },
  },
  members: {
    method: 'get',
    path: '/v1/members',
    tag: TAG,
    summary: 'The member directory (certificates and signed descriptors) and the revocation list',
    description: 'The SDK verifies every entry against the pinned organisation root before use.',
    responses: { 200: { description: 'directory', body: msgpackBody(MembersResponse) } },
  },
  query: {
    method: 'post',
    path: '/v1/query',
    tag: TAG,
    summary: 'Blind identifier query (OPRF-blinded match keys) to other members',
    description: 'Idempotent by (analyst, id): a retry with the same content joins the request in flight or gets its answer.',
    body: signedBody(QueryRequest, 'an envelope signed by the analyst key carrying a query request'),
    responses: { 200: { description: 'one answer per target country', body: msgpackBody(QueryResponse) }, ...refusals },
  },
  lookup: {
    method: 'post',
    path: '/v1/lookup',
    tag: TAG,
    summary: 'PSI index lookup of finalized tags (exact or bucket mode), with proofs against each owner’s signed root',
    body: signedBody(LookupRequest, 'an envelope signed by the analyst key carrying a lookup request'),
    responses: { 200: { description: 'committed buckets per country', body: msgpackBody(LookupResponse) }, ...refusals },
  },
  bioQuery: {
    method: 'post',
    path: '/v1/bio-query',
    tag: TAG,
    summary: 'Encrypted biometric search (CKKS probe) to other members',
    body: signedBody(BioQueryRequest, 'an envelope signed by the analyst key carrying an encrypted probe'),
    responses: { 200: { description: 'one answer per target country', body: msgpackBody(QueryResponse) }, ...refusals },
  },
  disclose: {
    method: 'post',
    path: '/v1/disclosures',
    tag: TAG,
    summary: 'Ask the owning country to disclose a hit’s identity (stored and queued before 202)',
    body: signedBody(DisclosureRequest, 'an envelope signed by the analyst key carrying a disclosure request'),
    responses: { 202: { description: 'accepted (or the state of the same request sent before)', body: msgpackBody(DisclosureAccepted) }, ...refusals },
  },
  listDisclosures: {
    method: 'post',
    path: '/v1/disclosures/list',
    tag: TAG,
    summary: 'The analyst’s own disclosure requests with the owners’ signed, sealed decisions',
    body: signedBody(ListDisclosures, 'an envelope signed by the analyst key'),
    responses: { 200: { description: 'requests and decisions', body: msgpackBody(DisclosureListResponse) }, ...refusals },
  },
} as const satisfies Record<string, ApiRoute>;

export const GATEWAY_INFO: ApiInfo = {
  title: 'Veil node — analyst API (gateway)',
  version: '1',
  description: `Analysts reach the network only through their own country's node. Requests are msgpack (${MSGPACK_TYPE}) envelopes signed with the analyst's Ed25519 key (key id analyst:<account>); blinding and verification of answers happen in the SDK. Authentication is the body itself, not a header: every POST is an Envelope { v, kid: "analyst:<account>", payload, sig } whose Ed25519 signature over "veil/v1/envelope" ‖ 0x00 ‖ payload must verify under the analyst key registered at this node, with a fresh ts and nonce. Errors are { error: { code, message } } with the registry code also in the x-veil-error header.`,
  securitySchemes: METRICS_SECURITY,
};

/** Every route of the gateway's listener, and its OpenAPI document. */
export const GATEWAY_ROUTES: readonly ApiRoute[] = [...Object.values(GATEWAY_API), ...OPS_API];
export const gatewayOpenApi = (): Record<string, unknown> => openApiDocument(GATEWAY_INFO, GATEWAY_ROUTES);
