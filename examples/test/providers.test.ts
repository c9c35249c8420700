// The provider examples, run as a user runs them (`--local`: the real SDK against the local wire
// server), and their printed zone listing checked against the guide.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { planServiceRecords } from '@fedsvc/core';
import { guideClusters, guideHealthyAddresses, guideService, guideShards } from '@fedsvc/core/testing';

const root = fileURLToPath(new URL('../..', import.meta.url));
const federation = { name: 'myfederation', domain: 'example.com' };
const name = (place?: string) => `nginx.mynamespace.myfederation.svc.${place ? `${place}.` : ''}example.com.`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runExample(file: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@fedsvc/source', `examples/${file}`, '--local'],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

interface Row {
  name: string;
  type: string;
  ttl: number;
  rrdatas: string[];
}

/** The rows of the first zone listing printed: from the `NAME TYPE TTL DATA` header to the `(besides …)` line. */
function firstTable(stdout: string): Row[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => /^NAME\s+TYPE\s+TTL\s+DATA$/.test(line));
  const end = lines.findIndex((line, i) => i > start && line.startsWith('(besides'));
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return lines.slice(start + 1, end).map((line) => {
    const [n = '', type = '', ttl = '', ...data] = line.split(/\s{2,}/);
    return { name: n, type, ttl: Number(ttl), rrdatas: data.join('  ').split(', ') };
  });
}

/** The change-request counts printed after each pass, in order. */
function writesPerPass(stdout: string): number[] {
  return [...stdout.matchAll(/^(\d+) \S+ request\(s\), (\d+) full read\(s\)/gm)].map((m) => Number(m[1]));
}

const examples = [
  { file: 'route53.ts', label: 'Route 53' },
  { file: 'google-cloud-dns.ts', label: 'Google Cloud DNS' },
];

describe.each(examples)('$label example (--local)', ({ file }) => {
  let run: Run;
  beforeAll(async () => {
    run = await runExample(file);
  }, 90_000);

  it('runs to the end', () => {
    expect(run.stderr).not.toMatch(/failed:/);
    expect(run.code).toBe(0);
  });

  it('prints no warning (an SDK that no longer supports this Node version would)', () => {
    expect(run.stderr).not.toMatch(/Warning/);
  });

  it("lists the guide's records in the zone", () => {
    const rows = firstTable(run.stdout);
    const byName = new Map(rows.map((row) => [`${row.name} ${row.type}`, row]));
    const global = byName.get(`${name()} A`);
    expect(global?.rrdatas.slice().sort()).toEqual(Object.values(guideHealthyAddresses).sort());
    expect(global?.ttl).toBe(180);
    expect(byName.get(`${name('us-central1-f')} CNAME`)?.rrdatas).toEqual([name('us-central1')]);
    expect(byName.get(`${name('europe-west1')} CNAME`)?.rrdatas).toEqual([name()]);
    expect(
      byName
        .get(`${name('us-central1')} A`)
        ?.rrdatas.slice()
        .sort(),
    ).toEqual(['104.197.244.180', '104.197.245.170', '104.197.247.191']);

    const planned = planServiceRecords({ federation, service: guideService, clusters: guideClusters, shards: guideShards });
    const key = (r: { name: string; type: string; ttl: number; rrdatas: readonly string[] }) =>
      `${r.name} ${r.type} ${r.ttl} ${[...r.rrdatas].sort().join(',')}`;
    expect(rows.map(key).sort()).toEqual(planned.map(key).sort());
  });

  it('writes once per change set and not at all when nothing changed', () => {
    expect(writesPerPass(run.stdout)).toEqual([1, 1, 0]);
    expect(run.stdout).toMatch(
      /^\+ nginx\.mynamespace\.myfederation\.svc\.us-central1-a\.example\.com\. CNAME 180 nginx\.mynamespace\.myfederation\.svc\.us-central1\.example\.com\.$/m,
    );
    expect(run.stdout).toMatch(/^no changes$/m);
  });
});
