// A CommonJS application using the packed packages: `node cjs.cjs` in the embedding project.
// The packages are ES modules; Node 20.19+ and 22.12+ load them with require().
'use strict';
const { createController, planServiceRecords, ValidationError } = require('@fedsvc/core');
const core = require('@fedsvc/core');
const testing = require('@fedsvc/core/testing');
const memory = require('@fedsvc/dns-memory');
const scenario = require('./scenario.cjs');

async function main() {
  scenario.check(typeof createController === 'function' && typeof planServiceRecords === 'function' && typeof ValidationError === 'function',
    'named exports of require(\'@fedsvc/core\') are missing');
  const count = await scenario.loadEveryEntry(__dirname, (specifier) => require(specifier), 'require');
  // require() and import() give the same module instance: one ValidationError class, not two.
  const imported = await import('@fedsvc/core');
  scenario.check(imported.ValidationError === ValidationError, 'require(\'@fedsvc/core\') and import(\'@fedsvc/core\') gave two copies of the package');
  await scenario.run({ core, testing, memory }, 'cjs');
  console.log(`cjs: OK (${count} entry points required)`);
}

main().catch((error) => {
  console.error(`cjs: FAILED: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
