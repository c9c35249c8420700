// The config's pieces that decide: values read by kind, library fields renamed to the config's,
// flags and variables derived from field paths.
import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { ValidationError } from '@fedsvc/core';
import { FakeKubeApi, writeKubeconfig } from '@fedsvc/kubernetes/testing';
import { memberClusters, memberOptions } from '../src/config/clusters.js';
import { configOf } from '../src/config/config.js';
import { FIELDS, envOf, flagOf } from '../src/config/fields.js';
import { dnsProvider } from '../src/config/provider.js';
import { renameField } from '../src/config/problems.js';
import { parseValue, readFields } from '../src/config/read.js';

const field = (path: string) => FIELDS.find((f) => f.path === path)!;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

describe('parseValue', () => {
  test.prop([fc.integer({ min: 1, max: 500 }), fc.constantFrom(...(Object.keys(UNITS) as (keyof typeof UNITS)[]))])(
    'a duration is its number times its unit',
    (n, unit) => {
      expect(parseValue(field('resyncInterval'), `${n}${unit}`, true)).toBe(n * UNITS[unit]);
    },
  );

  test.prop([fc.oneof(fc.integer(), fc.constant('5 minutes'), fc.constant('0s'), fc.constant('10'), fc.constant('1d'))])(
    'anything else is refused, naming the field and the value',
    (value) => {
      expect(() => parseValue(field('resyncInterval'), value, false)).toThrow(/^resyncInterval: must be a duration/);
    },
  );

  test.prop([fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/), { maxLength: 6 })])(
    'a list from text is its comma-separated items',
    (items) => {
      expect(parseValue(field('members.contexts'), items.join(' , '), true)).toEqual(items);
    },
  );

  test.prop([fc.integer({ min: -1e9, max: 1e9 })])('an integer from text or YAML is the same number', (n) => {
    expect(parseValue(field('federation.ttl'), String(n), true)).toBe(n);
    expect(parseValue(field('federation.ttl'), n, false)).toBe(n);
    expect(() => parseValue(field('federation.ttl'), String(n), false)).toThrow(/federation\.ttl: must be an integer/);
  });
});

describe('renameField', () => {
  const segment = fc.stringMatching(/^(\.[a-z]{1,6}|\[\d\])$/);
  test.prop([fc.array(segment, { maxLength: 4 }).map((s) => s.join(''))])(
    'a library field under a renamed prefix keeps its tail',
    (tail) => {
      const renames = [
        ['options.cluster', 'host'],
        ['options.cluster.kubeconfig', 'host.kubeconfig'],
      ] as const;
      // Both renames agree on every field: `host.kubeconfig` is `host` + `.kubeconfig`.
      expect(renameField(`options.cluster${tail}`, renames)).toBe(`host${tail}`);
      expect(renameField(`options.clusters${tail}`, renames)).toBe(`options.clusters${tail}`);
    },
  );
});

describe('flags and variables', () => {
  test('one flag and one variable per field, none shared', () => {
    expect(new Set(FIELDS.map((f) => flagOf(f.path))).size).toBe(FIELDS.length);
    expect(new Set(FIELDS.map((f) => envOf(f.path))).size).toBe(FIELDS.length);
    expect(flagOf('dns.rfc2136.tsigSecretFile')).toBe('--dns-rfc2136-tsig-secret-file');
    expect(envOf('dns.rfc2136.tsigSecretFile')).toBe('FEDSVC_DNS_RFC2136_TSIG_SECRET_FILE');
  });

  test.prop([
    fc.constantFrom(...FIELDS.filter((f) => f.kind === 'string').map((f) => f.path)),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
  ])('a flag wins over a variable, which wins over the default', async (path, fromEnv, fromFlag) => {
    const env = { [envOf(path)]: fromEnv };
    expect((await readFields({ env, flags: new Map() })).values.get(path)).toBe(fromEnv);
    expect((await readFields({ env, flags: new Map([[path, fromFlag]]) })).values.get(path)).toBe(fromFlag);
  });
});

describe('the DNS endpoint fields', () => {
  /** The problems of a config that gives `provider` and `endpoint` at `path`, read as from the environment. */
  async function endpointProblems(provider: string, path: string, endpoint: string): Promise<ValidationError[]> {
    const env = { FEDSVC_DNS_PROVIDER: provider, FEDSVC_DNS_ZONE: 'example.com.', [envOf(path)]: endpoint };
    const read = await readFields({ env, flags: new Map() });
    const problems = [...read.problems];
    await dnsProvider(configOf(read.values), problems);
    return problems;
  }
  const port = fc.integer({ min: 1, max: 65535 });

  test.prop([fc.constantFrom('http', 'https'), fc.ipV4(), port], { numRuns: 20 })(
    'a server URL is taken by either provider',
    async (scheme, host, p) => {
      expect(await endpointProblems('route53', 'dns.route53.endpoint', `${scheme}://${host}:${p}`)).toEqual([]);
      expect(await endpointProblems('google', 'dns.google.apiEndpoint', `${scheme}://${host}:${p}`)).toEqual([]);
    },
  );

  test.prop([fc.stringMatching(/^[a-z][a-z0-9 ]{0,10} [a-z0-9]{1,5}$/), port], { numRuns: 20 })(
    'anything else is a problem naming the field and the value',
    async (text, p) => {
      const route53 = await endpointProblems('route53', 'dns.route53.endpoint', text);
      expect(route53.map((problem) => [problem.field, problem.value])).toEqual([['dns.route53.endpoint', text]]);
      const withPath = `http://127.0.0.1:${p}/${text.replace(/ /g, '/')}`;
      const google = await endpointProblems('google', 'dns.google.apiEndpoint', withPath);
      expect(google.map((problem) => [problem.field, problem.value])).toEqual([['dns.google.apiEndpoint', withPath]]);
    },
  );
});

test("the README's reference lists every field with its flag and variable", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
  expect(rows.map((row) => row.split('|')[1]!.trim().replaceAll('`', ''))).toEqual(FIELDS.map((f) => f.path));
  for (const [i, f] of FIELDS.entries()) {
    expect(rows[i]).toContain(`| \`${flagOf(f.path)}\` | \`${envOf(f.path)}\` |`);
    expect(rows[i]).toContain(f.doc);
  }
});

describe('the member clusters settings', () => {
  const DURATIONS = ['members.requestTimeout', 'members.syncTimeout', 'members.healthPeriod', 'members.probeTimeout'] as const;
  const COUNTS = ['members.pageSize', 'members.failureThreshold', 'members.successThreshold'] as const;
  const optionOf = (path: string) => `${path.slice('members.'.length)}${DURATIONS.includes(path as never) ? 'Ms' : ''}`;

  test.prop([
    fc.tuple(...DURATIONS.map(() => fc.integer({ min: 1, max: 5_000 }))),
    fc.tuple(...COUNTS.map(() => fc.integer({ min: 1, max: 1_000 }))),
    fc.boolean(),
  ])('from the file, a variable or a flag, each reaches @fedsvc/kubernetes under its option name', async (durations, counts, asFlags) => {
    const given = new Map<string, string>([
      ...DURATIONS.map((path, i): [string, string] => [path, `${durations[i]}ms`]),
      ...COUNTS.map((path, i): [string, string] => [path, String(counts[i])]),
    ]);
    const env = asFlags ? {} : Object.fromEntries([...given].map(([path, text]) => [envOf(path), text]));
    const { values, problems } = await readFields({ env, flags: asFlags ? given : new Map() });
    expect(problems).toEqual([]);
    expect(memberOptions(configOf(values))).toEqual(
      Object.fromEntries([
        ...DURATIONS.map((path, i) => [optionOf(path), durations[i]]),
        ...COUNTS.map((path, i) => [optionOf(path), counts[i]]),
      ]),
    );
  });

  test('every bad setting is reported at once with the other problems, naming the field, the value and where it came from', async () => {
    const env = { FEDSVC_MEMBERS_PAGE_SIZE: '0', FEDSVC_MEMBERS_CONTEXTS: 'nowhere', FEDSVC_MEMBERS_KUBECONFIG: '/nonexistent/kubeconfig' };
    const flags = new Map<string, string>([
      ['members.failureThreshold', '-1'],
      ['members.syncTimeout', '0s'],
    ]);
    const read = await readFields({ env, flags });
    const problems = [...read.problems];
    await memberClusters(configOf(read.values), silent, problems);
    const named = problems.map((p) => p.message);
    expect(named).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^members\.syncTimeout \(--members-sync-timeout\): must be a duration .*\(got "0s"\)$/),
        expect.stringMatching(/^members\.pageSize: .*\(got 0\)$/),
        expect.stringMatching(/^members\.failureThreshold: .*\(got -1\)$/),
        expect.stringMatching(/^members\.kubeconfig: /),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  test('members.syncTimeout and members.healthPeriod reach the watch: a member that never answers holds the first sync only that long', async () => {
    const good = await FakeKubeApi.start();
    const silentMember = await FakeKubeApi.start();
    await silentMember.setReachability('drop');
    const kubeconfig = await writeKubeconfig([
      { context: 'good', server: good.url },
      { context: 'silent', server: silentMember.url },
    ]);
    const warnings: string[] = [];
    try {
      const env = {
        FEDSVC_MEMBERS_CONTEXTS: 'good,silent',
        FEDSVC_MEMBERS_KUBECONFIG: kubeconfig.path,
        FEDSVC_MEMBERS_SYNC_TIMEOUT: '300ms',
        FEDSVC_MEMBERS_HEALTH_PERIOD: '1h',
        FEDSVC_MEMBERS_REQUEST_TIMEOUT: '1h',
      };
      const read = await readFields({ env, flags: new Map() });
      const problems = [...read.problems];
      const logger = { ...silent, warn: (fields: object, message?: string) => warnings.push(`${message} ${JSON.stringify(fields)}`) };
      const members = await memberClusters(configOf(read.values), logger, problems);
      expect(problems).toEqual([]);
      const started = Date.now();
      let syncedAfter: number | undefined;
      const watch = members!.clusters.watch((event) => {
        if (event.type === 'synced') syncedAfter ??= Date.now() - started;
      });
      for (let i = 0; i < 100 && syncedAfter === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      await watch.stop();
      // Synced within the 5 s waited, not at the 60 s default nor the ~11 s the probes take to call it Offline.
      expect(syncedAfter).toBeDefined();
      expect(warnings.some((line) => line.includes('"clusters":["silent"],"syncTimeoutMs":300'))).toBe(true);
    } finally {
      await Promise.all([good.stop(), silentMember.stop(), kubeconfig.remove()]);
    }
  }, 20_000);
});

describe('a map field', () => {
  const weights = field('federation.trafficPolicy.weights');
  const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
  test.prop([fc.dictionary(key, fc.integer({ min: 1, max: 1_000 }).map(String), { maxKeys: 6 })])(
    'from text is its key=value pairs, values kept as text',
    (pairs) => {
      const text = Object.entries(pairs)
        .map(([k, v]) => ` ${k} = ${v} `)
        .join(',');
      expect(parseValue(weights, text, true)).toEqual(pairs);
    },
  );

  test.prop([fc.constantFrom('gce-a', 'gce-a=', '=3', 'gce-a=1,gce-b')])('a pair without its = refused, naming the field', (text) => {
    expect(() => parseValue(weights, text, true)).toThrow(/^federation\.trafficPolicy\.weights: must be key=value pairs/);
  });

  test.prop([fc.oneof(fc.constant(['a=1']), fc.constant('a=1'), fc.constant({ a: null }), fc.constant({ a: '' }))])(
    'from YAML, only a mapping of names to strings or numbers',
    (value) => {
      expect(() => parseValue(weights, value, false)).toThrow(/^federation\.trafficPolicy\.weights: must be a mapping/);
    },
  );
});
