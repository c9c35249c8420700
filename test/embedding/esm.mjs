// An ES module application using the packed packages: `node esm.mjs` in the embedding project.
import { fileURLToPath } from 'node:url';
import { createController, planServiceRecords, ValidationError } from '@fedsvc/core';
import * as core from '@fedsvc/core';
import * as testing from '@fedsvc/core/testing';
import * as memory from '@fedsvc/dns-memory';
import scenario from './scenario.cjs';

try {
  const projectDir = fileURLToPath(new URL('.', import.meta.url));
  scenario.check(typeof createController === 'function' && typeof planServiceRecords === 'function' && typeof ValidationError === 'function',
    'named imports from @fedsvc/core are missing');
  const count = await scenario.loadEveryEntry(projectDir, (specifier) => import(specifier), 'import');
  await scenario.run({ core, testing, memory }, 'esm');
  console.log(`esm: OK (${count} entry points imported)`);
} catch (error) {
  console.error(`esm: FAILED: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
}
