/**
 * `veil bio-match` and a biometric disclosure through the real CLI, against node processes whose
 * galleries were imported from NDJSON with base64 float32 templates.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalNetwork, makeGallery, makeProbe, runVeil, startLocalNetwork } from '#simulations';

const g = makeGallery({ seed: 7, identities: 6, capturesPerIdentity: 1, dims: 512 });
const b64 = (t: Float32Array) => Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64');
const records = `${g.templates
  .map((t, i) =>
    JSON.stringify({
      id: `it-${i}`,
      kind: 'person',
      dataset: 'faces',
      handling: 'restricted',
      person: { family: `Face${i}`, dob: '1970-01-01' },
      biometrics: { face: b64(t) },
    }),
  )
  .join('\n')}\n`;

describe('biometric search through the CLI', () => {
  let net: LocalNetwork;
  afterAll(async () => {
    await net?.stop();
  });

  it('bio-match reports hit references and no scores; disclose --embedding sends the probe as the claim', async () => {
    net = await startLocalNetwork([{ country: 'FR' }, { country: 'IT', records }]);
    await net.settled();
    const cred = await net.addAnalyst('FR', 'Bio Analyst');
    const probeFile = join(net.root, 'probe.json');
    writeFileSync(probeFile, JSON.stringify(Array.from(makeProbe({ seed: 7, identity: 4, dims: 512 }))));
    const base = ['--cred', cred, '--case', 'B-1', '--legal-basis', 'art-3'];
    const r = await runVeil(['bio-match', ...base, '--modality', 'face', '--embedding', probeFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { results: Array<{ country: string; status: string; hits: Array<{ position: number; ref: string }> }> };
    expect(out.results).toEqual([expect.objectContaining({ country: 'IT', status: 'hit', hits: [expect.objectContaining({ position: expect.any(Number) })] })]);
    expect(r.stdout).not.toMatch(/score/i);

    const text = await runVeil(['bio-match', ...base, '--embedding', probeFile]);
    expect(text.stdout).toMatch(/IT\s+HIT \(1\)\s+--hit IT:bio:[0-9a-f]{32}:\d+/);

    const hit = `IT:${out.results[0]!.hits[0]!.ref}`;
    const d = await runVeil([
      'disclose',
      ...base,
      '--hit',
      hit,
      '--modality',
      'face',
      '--embedding',
      probeFile,
      '--fields',
      'name',
      '--justification',
      'Face match.',
      '--json',
    ]);
    expect(d.code, d.stderr).toBe(0);
    const id = (JSON.parse(d.stdout) as { id: string }).id;
    let listed: Array<{ requestId: string; score: number | null; cls: string; recordId: string }> = [];
    for (let i = 0; i < 100 && !listed.some((x) => x.requestId === id); i++) {
      listed = JSON.parse((await runVeil(['approvals', 'list', '--dir', net.nodeDir('IT'), '--json'])).stdout);
      await new Promise((res) => setTimeout(res, 100));
    }
    // The owner mapped the permuted position back to the template of identity 4.
    expect(listed.find((x) => x.requestId === id)).toMatchObject({ cls: 'face', score: expect.any(Number), recordId: 'it-4' });

    const bad = await runVeil(['bio-match', ...base, '--embedding', join(net.root, 'missing.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error [bad_request]');
  });
});
