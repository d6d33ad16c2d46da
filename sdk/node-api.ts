/**
 * The analyst's authenticated channel to its own node: typed reads, and requests signed as envelopes
 * with the analyst's key (`analyst:<id>`) and sent as msgpack. Every flow of the SDK talks to the
 * network only through this.
 */
import type { z } from 'zod';
import { encode, keyId, signEnvelope } from '#protocol';
import type { Credential } from './credential.ts';
import { readResponse, type Transport } from './transport.ts';

export class NodeApi {
  readonly #transport: Transport;
  readonly #credential: Credential;

  constructor(deps: { transport: Transport; credential: Credential }) {
    this.#transport = deps.transport;
    this.#credential = deps.credential;
  }

  async get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    return readResponse(await this.#transport.get(path), schema);
  }

  /** Sign `payload` with the analyst's key and post the envelope. */
  async post<S extends z.ZodType>(path: string, payload: unknown, schema: S): Promise<z.infer<S>> {
    const env = signEnvelope(this.#credential.signing, keyId.analyst(this.#credential.analystId), payload);
    return readResponse(await this.#transport.post(path, encode(env)), schema);
  }
}
