// Import rules that a formatter cannot see: the direction between the layers of packages/core/src, and
// the packages' boundaries. `pnpm lint` runs it on the TypeScript sources (type-only imports count too).
//
// Layers of packages/core/src, bottom up:
//   vocabulary   types.ts, errors.ts: import nothing but each other
//   primitives   any other root-level module (not an entry): the vocabulary and other primitives
//   dns/         the vocabulary and the primitives
//   planning/, zone/, placement/   dns/ and below; none of the three imports another
//   controller/  all of the above, never testing/
//   testing/     anything; only testing/ itself (its entries) imports it
// Entry files: index.ts (@fedsvc/core), provider.ts (@fedsvc/core/provider), testing/index.ts and
// testing/conformance.ts. Nothing in src/ imports them; they are for the packages' users.

const SRC = '^packages/core/src/';
const ENTRIES = `${SRC}(index|provider|testing/index|testing/conformance)\\.ts$`;
const VOCABULARY = `${SRC}(types|errors)\\.ts$`;
// Root-level modules of core/src, the vocabulary included, the entries excluded.
const ROOT = `${SRC}(?!(index|provider)\\.ts$)[^/]+\\.ts$`;

/** A layer folder of core/src may import only its own folder, the folders named, and the root modules. */
const layer = (name, folder, may) => ({
  name,
  severity: 'error',
  comment: `${folder}/ imports only ${[folder, ...may].map((f) => `${f}/`).join(', ')}, and the root modules (vocabulary, primitives).`,
  from: { path: `${SRC}${folder}/` },
  to: { path: SRC, pathNot: [`${SRC}(${[folder, ...may].join('|')})/`, ROOT] },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-vocabulary',
      severity: 'error',
      comment: 'types.ts and errors.ts are the vocabulary of every layer: they import nothing but each other.',
      from: { path: VOCABULARY },
      to: { pathNot: VOCABULARY },
    },
    {
      name: 'core-primitives',
      severity: 'error',
      comment: 'A root-level module of core/src (not an entry) imports only the vocabulary and other root-level modules.',
      from: { path: ROOT },
      to: { path: SRC, pathNot: ROOT },
    },
    layer('core-dns', 'dns', []),
    layer('core-planning', 'planning', ['dns']),
    layer('core-zone', 'zone', ['dns']),
    layer('core-placement', 'placement', ['dns']),
    layer('core-controller', 'controller', ['dns', 'planning', 'zone', 'placement']),
    {
      name: 'core-testing-is-leaf',
      severity: 'error',
      comment: 'Only testing/ imports testing/: production code never depends on the test kit.',
      from: { path: SRC, pathNot: `${SRC}testing/` },
      to: { path: `${SRC}testing/` },
    },
    {
      name: 'core-no-entry-imports',
      severity: 'error',
      comment: "Nothing in core/src imports an entry file (index.ts, provider.ts, testing's index.ts and conformance.ts).",
      from: { path: SRC },
      to: { path: ENTRIES },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-relative-import-into-another-package',
      severity: 'error',
      comment:
        'examples/, bench/ and every package use another package through its public entries (@fedsvc/...), ' +
        "never by a relative path into its folder (src/, test/ or any other). A package's own tests may import its src/.",
      from: { path: '^(examples|bench|packages/[^/]+)/' },
      to: { path: '^packages/[^/]+/', pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve (a typo, or a package that is not installed).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '(^|/)(dist|coverage)/' },
    // Type-only imports are edges too: a layer must not name a higher layer's types either.
    tsPreCompilationDeps: true,
    // TypeScript's resolution: `./x.js` finds ./x.ts.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // The workspace's packages resolve to their TypeScript sources, as in tsconfig.json and vitest.config.ts.
      conditionNames: ['@fedsvc/source', 'import', 'types', 'node', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
