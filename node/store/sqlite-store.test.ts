/** The node store suite against the SQLite store: a fresh database file in a temp directory per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeStore } from './sqlite-store.ts';
import { describeNodeStore } from './store-suite.ts';

function tempStore(): NodeStore & Disposable {
  const dir = mkdtempSync(join(tmpdir(), 'veil-store-'));
  const store = new NodeStore(join(dir, 'node.db'));
  const dispose = store[Symbol.dispose].bind(store);
  return Object.assign(store, {
    [Symbol.dispose]: () => {
      dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

describeNodeStore('SQLite', tempStore);

describe('SQLite node store', () => {
  it('keeps what was written across a reopen of the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'veil-store-'));
    try {
      const path = join(dir, 'node.db');
      {
        using store = new NodeStore(path);
        store.tx(() => {
          store.meta.set('country', 'DE');
          store.mail.queue({ mid: 'm', recipient: 'FR', env: new Uint8Array([1]) }, 1);
        });
      }
      using again = new NodeStore(path);
      expect(again.meta.get('country')).toBe('DE');
      expect(again.mail.outboxCount()).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
