/**
 * Shared pieces of the node store suite (`store-suite.ts`, `store-suite-exchange.ts`): a fresh store
 * per test, disposed after it, and a byte-array shorthand.
 */
import { afterEach, beforeEach } from 'vitest';
import type { NodeRepositories } from './repositories.ts';

export type MakeStore = () => NodeRepositories & Disposable;

/** A fresh store per test in the enclosing `describe`, disposed after it. */
export function useStore(makeStore: MakeStore): () => NodeRepositories {
  let store: (NodeRepositories & Disposable) | undefined;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(() => {
    store?.[Symbol.dispose]();
    store = undefined;
  });
  return () => {
    if (!store) throw new Error('store used outside a test');
    return store;
  };
}

export const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
