#!/usr/bin/env node
// The production install the Dockerfile makes, made and run without a container runtime
// (`pnpm check:deploy`): builds @fedsvc/cli and the packages it depends on, deploys it with
// `pnpm deploy --prod` into a temporary folder outside the workspace, and runs `fedsvc` from
// there with plain node: `--version`, and `federate` on the guide's nginx Service (deploy/samples/nginx.yaml).
// The temporary folder is removed at the end, failed or not (`--keep` keeps it).
//
//   node scripts/check-deploy.mjs [--skip-build] [--keep]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const work = realpathSync(mkdtempSync(join(tmpdir(), 'fedsvc-deploy-')));
const app = join(work, 'app');

/** Runs a command; throws when it fails; returns its standard output. */
function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
  if (result.error) throw new Error(`${command} ${commandArgs.join(' ')}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${commandArgs.join(' ')} exited with ${result.status ?? result.signal}\n${result.stdout}`);
  return result.stdout;
}

try {
  if (!args.has('--skip-build')) run('pnpm', ['--filter', '@fedsvc/cli...', 'run', 'build']);
  run('pnpm', ['--filter', '@fedsvc/cli', 'deploy', '--prod', '--legacy', app]);
  // Plain node, outside the workspace, with no development dependency and no source condition.
  const env = { PATH: process.env.PATH ?? '', HOME: work };
  const version = run(process.execPath, [join(app, 'dist', 'bin.js'), '--version'], { cwd: work, env }).trim();
  const expected = JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')).version;
  if (version !== expected) throw new Error(`fedsvc --version printed ${JSON.stringify(version)}, expected ${expected}`);
  for (const dev of ['tsx', 'typescript', 'vitest']) {
    const found = spawnSync(process.execPath, ['-e', `require.resolve(${JSON.stringify(dev)})`], { cwd: app });
    if (found.status === 0) throw new Error(`the production install holds the development dependency ${dev}`);
  }
  // The README's `fedsvc federate -f deploy/samples/nginx.yaml | kubectl apply -f -`, from the image's install.
  const manifest = join(root, 'deploy', 'samples', 'nginx.yaml');
  const federated = run(process.execPath, [join(app, 'dist', 'bin.js'), 'federate', '-f', manifest], { cwd: work, env });
  if (!/^kind: FederatedService$/m.test(federated)) throw new Error(`fedsvc federate printed:\n${federated}`);
  console.log(`check:deploy: OK, fedsvc ${version} runs from a production install`);
} catch (error) {
  console.error(`check:deploy: FAILED: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  if (args.has('--keep')) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
