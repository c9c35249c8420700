#!/usr/bin/env node
// What would be published, checked as a user would meet it (`pnpm check:packages`):
//   1. builds every package (`pnpm build`);
//   2. packs each with `pnpm pack` (which turns `workspace:^` into a real range; the package's
//      prepack checks dist against src and the exports map) and checks the packed manifest;
//   3. lints each tarball with publint and @arethetypeswrong/cli;
//   4. installs the tarballs with npm into a new project in a temporary directory outside the
//      workspace (third-party dependencies from the registry), type-checks test/embedding's
//      consumer under `moduleResolution` nodenext and bundler, and runs its ES module and
//      CommonJS programs, which load every entry point and drive the controller.
// The temporary directory is removed at the end, failed or not (`--keep` keeps it).
//
//   node scripts/check-packages.mjs [--skip-build] [--keep]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// attw: these packages are ES modules only (see README, Install). `node16` leaves out the
// `node10` resolution (`moduleResolution: node`), which does not read exports maps at all.
// `cjs-resolves-to-esm` is attw's warning that a require() reaches an ES module: attw models
// TypeScript's `module: node16`, where that is an error; Node 20.19+/22.12+ load it, and so does
// TypeScript 5.8+ under `module: nodenext` (proved below by type-checking consumer-cjs.cts).
// Every other problem (no types, wrong types, masquerading formats) still fails.
const ATTW_ARGS = ['--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped', '--no-emoji', '--no-color'];

function step(title) {
  console.log(`\n== ${title} (at ${seconds(started)})`);
}

/** Runs a command, streaming its output; throws when it fails. */
function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw new Error(`${command} ${commandArgs.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} exited with ${result.status ?? result.signal}`);
}

/** Reads one file out of a tarball (`tar` is on Linux, macOS and Windows 10+). */
function fromTarball(tarball, path) {
  const result = spawnSync('tar', ['-xzOf', tarball, path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`tar could not read ${path} from ${tarball}: ${result.stderr}`);
  return result.stdout;
}

function listTarball(tarball) {
  const result = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`tar could not list ${tarball}: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'package.json')))
  .map((entry) => ({
    dir: join(root, 'packages', entry.name),
    manifest: JSON.parse(readFileSync(join(root, 'packages', entry.name, 'package.json'), 'utf8')),
  }))
  .filter(({ manifest }) => manifest.private !== true);
const versions = new Map(packages.map(({ manifest }) => [manifest.name, manifest.version]));

const work = realpathSync(mkdtempSync(join(tmpdir(), 'fedsvc-packages-')));
const cleanUp = () => {
  if (args.has('--keep')) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

try {
  if (!args.has('--skip-build')) {
    step('build every package');
    run('pnpm', ['build']);
  }

  step('pack every package with pnpm pack');
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed = [];
  for (const { dir, manifest } of packages) {
    const before = new Set(readdirSync(tarballs));
    run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const [file] = readdirSync(tarballs).filter((name) => !before.has(name));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${manifest.name}`);
    packed.push({ name: manifest.name, tarball: join(tarballs, file) });
  }

  step('check the packed manifests and contents');
  const problems = [];
  for (const { name, tarball } of packed) {
    const manifest = JSON.parse(fromTarball(tarball, 'package/package.json'));
    const files = listTarball(tarball);
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
      for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
        if (/^(workspace|link|file|portal):/.test(range))
          problems.push(`${name}: ${field}.${dependency} is "${range}" in the packed manifest`);
        if (versions.has(dependency) && range !== `^${versions.get(dependency)}`) {
          problems.push(`${name}: ${field}.${dependency} is "${range}", expected "^${versions.get(dependency)}"`);
        }
      }
    }
    if (!manifest.engines?.node) problems.push(`${name}: no engines.node`);
    // What the manifest's `files` names (dist, src, and data such as CRDs and RBAC manifests), and nothing else.
    const shipped = (manifest.files ?? []).map((entry) => `package/${entry.replace(/\/$/, '')}`);
    const stray = files.filter(
      (file) =>
        !shipped.some((entry) => file === entry || file.startsWith(`${entry}/`)) &&
        !/^package\/(package\.json|README\.md|LICENSE)$/.test(file),
    );
    if (stray.length > 0) problems.push(`${name}: unexpected files in the tarball: ${stray.join(', ')}`);
    for (const entry of shipped)
      if (!files.some((file) => file === entry || file.startsWith(`${entry}/`)))
        problems.push(`${name}: ${entry} is in files but not in the tarball`);
    for (const needed of ['package/README.md', 'package/LICENSE'])
      if (!files.includes(needed)) problems.push(`${name}: ${needed} is not in the tarball`);
    const internal = Object.entries(manifest.dependencies ?? {})
      .filter(([dependency]) => versions.has(dependency))
      .map(([d, r]) => `${d}@${r}`);
    console.log(
      `${name}@${manifest.version}: ${files.length} files; engines.node ${manifest.engines?.node}; ${internal.join(', ') || 'no workspace dependencies'}`,
    );
  }
  if (problems.length > 0) throw new Error(`the packed packages are not publishable:\n  ${problems.join('\n  ')}`);

  step('publint');
  for (const { tarball } of packed) run('pnpm', ['exec', 'publint', 'run', '--strict', tarball]);

  step('@arethetypeswrong/cli');
  for (const { tarball } of packed) run('pnpm', ['exec', 'attw', tarball, ...ATTW_ARGS]);

  step('install the tarballs into a new project with npm');
  const project = join(work, 'project');
  cpSync(join(root, 'test', 'embedding'), project, { recursive: true });
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dependencies = Object.fromEntries(packed.map(({ name, tarball }) => [name, `file:${tarball}`]));
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'fedsvc-embedding',
        private: true,
        type: 'module',
        dependencies,
        devDependencies: {
          // What a TypeScript consumer and a conformance-suite user have; versions as the workspace's.
          typescript: rootManifest.devDependencies.typescript,
          '@types/node': rootManifest.devDependencies['@types/node'],
          vitest: rootManifest.devDependencies.vitest,
          // @kubernetes/client-node's declarations use ws's types (through isomorphic-ws) without
          // depending on them; with skipLibCheck off, as here, a consumer needs them.
          '@types/ws': '^8.5.0',
        },
        // The tarballs, never a registry copy, satisfy the packages' ranges on each other.
        overrides: Object.fromEntries(packed.map(({ name }) => [name, `$${name}`])),
      },
      null,
      2,
    )}\n`,
  );
  const installStarted = Date.now();
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project });
  console.log(`npm install: ${seconds(installStarted)}`);
  // One copy of each package: a nested second copy would make two ValidationError classes.
  const nested = spawnSync('npm', ['ls', '--all', '--parseable', ...packed.map(({ name }) => name)], { cwd: project, encoding: 'utf8' });
  const copies = nested.stdout.split('\n').filter((line) => /node_modules[\\/]@fedsvc[\\/]/.test(line));
  const duplicated = copies.filter((line) => (line.match(/node_modules/g) ?? []).length > 1);
  if (duplicated.length > 0) throw new Error(`@fedsvc packages installed more than once:\n  ${duplicated.join('\n  ')}`);

  step('type-check the consumer (nodenext and bundler)');
  // Every entry point of every package, from the packed manifests: a new entry is checked too.
  const specifiers = [];
  for (const { tarball } of packed) {
    const manifest = JSON.parse(fromTarball(tarball, 'package/package.json'));
    for (const subpath of Object.keys(manifest.exports))
      specifiers.push(subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`);
  }
  const header = '// Generated by scripts/check-packages.mjs: every entry point of every package.\n';
  writeFileSync(
    join(project, 'entries.ts'),
    header +
      specifiers.map((s, i) => `import * as entry${i} from '${s}';\n`).join('') +
      `export const entries = [${specifiers.map((_, i) => `entry${i}`).join(', ')}];\n`,
  );
  writeFileSync(
    join(project, 'entries-cjs.cts'),
    header +
      specifiers.map((s, i) => `import entry${i} = require('${s}');\n`).join('') +
      `export const entries = [${specifiers.map((_, i) => `entry${i}`).join(', ')}];\n`,
  );
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const config of ['tsconfig.nodenext.json', 'tsconfig.bundler.json']) {
    run(process.execPath, [tsc, '-p', config], { cwd: project });
    console.log(`tsc -p ${config}: no errors`);
  }

  step('run the ES module and CommonJS programs');
  run(process.execPath, ['esm.mjs'], { cwd: project });
  run(process.execPath, ['cjs.cjs'], { cwd: project });

  console.log(`\ncheck:packages: OK, ${packed.length} packages (${seconds(started)})`);
} catch (error) {
  console.error(`\ncheck:packages: FAILED: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
