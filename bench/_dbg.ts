import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCrypto } from '#crypto';
import { benchFanout } from './psi.ts';
await initCrypto();
const r = await benchFanout(mkdtempSync(join(tmpdir(), 'dbg-')), true);
console.log(JSON.stringify(r, null, 1));
process.exit(0);
