#!/usr/bin/env node
// Run by each package's `prepack` (from the package's directory): refuses to pack a package whose
// `dist` is missing, older than its sources, or out of step with its exports map. It does not
// build: packing several packages at once (`pnpm -r pack`, `changeset publish`) would then rebuild
// core while another package compiles against it. Build first with `pnpm build` at the root.
//
//   node ../../scripts/check-dist.mjs            (in packages/<name>)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SOURCE_CONDITION = '@fedsvc/source';
const dir = process.cwd();
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const problems = [];

/** Every file under `root`, as paths relative to it with `/` separators. */
function walk(root, at = root, out = []) {
  if (!existsSync(at)) return out;
  for (const entry of readdirSync(at, { withFileTypes: true })) {
    const path = join(at, entry.name);
    if (entry.isDirectory()) walk(root, path, out);
    else out.push(relative(root, path).split('\\').join('/'));
  }
  return out;
}

// 1. Every entry of the exports map has the one form the workspace uses, and its files exist.
const exportsMap = manifest.exports;
if (typeof exportsMap !== 'object' || exportsMap === null) problems.push('package.json has no exports map');
for (const [subpath, target] of Object.entries(exportsMap ?? {})) {
  const keys = typeof target === 'object' && target !== null ? Object.keys(target) : [];
  if (keys.join(',') !== [SOURCE_CONDITION, 'types', 'default'].join(',')) {
    problems.push(
      `exports["${subpath}"] must be { "${SOURCE_CONDITION}": "./src/….ts", "types": "./dist/….d.ts", "default": "./dist/….js" } in that order`,
    );
    continue;
  }
  const stem = String(target[SOURCE_CONDITION])
    .replace(/^\.\/src\//, '')
    .replace(/\.ts$/, '');
  const expected = { [SOURCE_CONDITION]: `./src/${stem}.ts`, types: `./dist/${stem}.d.ts`, default: `./dist/${stem}.js` };
  for (const [condition, file] of Object.entries(expected)) {
    if (target[condition] !== file)
      problems.push(`exports["${subpath}"]["${condition}"] is ${JSON.stringify(target[condition])}, expected "${file}"`);
    else if (!existsSync(join(dir, file))) problems.push(`exports["${subpath}"]["${condition}"]: ${file} does not exist`);
  }
}

// 2. dist mirrors src: one .js and one .d.ts per source file, none older than it, nothing left over.
const sources = walk(join(dir, 'src'));
const built = new Set(walk(join(dir, 'dist')));
const buildConfig = statSync(join(dir, 'tsconfig.build.json')).mtimeMs;
for (const source of sources) {
  if (!source.endsWith('.ts') || source.endsWith('.d.ts')) {
    problems.push(`src/${source} is not TypeScript: the build (tsc) does not copy it to dist`);
    continue;
  }
  const stem = source.slice(0, -'.ts'.length);
  for (const output of [`${stem}.js`, `${stem}.d.ts`]) {
    if (!built.has(output)) {
      problems.push(`dist/${output} is missing`);
      continue;
    }
    const age = statSync(join(dir, 'dist', output)).mtimeMs;
    if (age < statSync(join(dir, 'src', source)).mtimeMs || age < buildConfig) problems.push(`dist/${output} is older than its source`);
  }
}
const stems = new Set(sources.map((source) => source.replace(/\.ts$/, '')));
for (const output of built) {
  const stem = output.replace(/(\.d\.ts|\.js)(\.map)?$/, '');
  if (!stems.has(stem)) problems.push(`dist/${output} has no source in src (left from an earlier build)`);
}

if (problems.length > 0) {
  console.error(
    `${manifest.name}: dist is not ready to pack:\n  ${problems.join('\n  ')}\nRun \`pnpm build\` at the workspace root, then pack again.`,
  );
  process.exit(1);
}
console.log(`${manifest.name}: dist matches src and the exports map (${sources.length} modules)`);
