// examples/bind: the owner id's environment variable, and the per-step DNS line telling the truth.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../bind/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('examples/bind owner id', () => {
  it('reads FEDSVC_OWNER_ID, as the other examples do; the older FEDSVC_OWNER only when it is unset; --owner first', async () => {
    expect((await readConfig(['--local'], { FEDSVC_OWNER_ID: 'new-id' })).ownerId).toBe('new-id');
    expect((await readConfig(['--local'], { FEDSVC_OWNER: 'old-id' })).ownerId).toBe('old-id');
    expect((await readConfig(['--local'], { FEDSVC_OWNER_ID: 'new-id', FEDSVC_OWNER: 'old-id' })).ownerId).toBe('new-id');
    expect((await readConfig(['--local', '--owner', 'flag-id'], { FEDSVC_OWNER_ID: 'new-id' })).ownerId).toBe('flag-id');
    expect((await readConfig(['--local'], {})).ownerId).toBe('fedsvc-example');
  });
});

describe('examples/bind --local output', () => {
  it('says a step wrote nothing when it wrote nothing, and how much when it wrote', async () => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FEDSVC_')));
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--conditions=@fedsvc/source', 'examples/bind/index.ts', '--local'],
        { cwd: root, timeout: 90_000, env: { ...clean, FEDSVC_OWNER_ID: 'owner-from-env' } },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
    });
    expect(run.stderr).not.toMatch(/failed|Error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/, owner id owner-from-env$/m);
    const steps = run.stdout.split('\n').filter((line) => line.startsWith('DNS '));
    expect(steps).toHaveLength(4);
    // Creating the service: no shard has ready endpoints, so there is nothing to publish yet.
    expect(steps[0]).toMatch(/^DNS unchanged: [1-9]\d* pass\(es\), no record to write/);
    // Pods ready in 8 zones; us-central1-a loses its pods; the service is deleted: each writes.
    for (const step of steps.slice(1)) {
      const m = /^DNS updated: (\d+) change set\(s\) applied \((\d+) record set change\(s\)\), (\d+\.\d) ms from the event/.exec(
        step ?? '',
      );
      expect(m, step).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(0);
      expect(Number(m![2])).toBeGreaterThan(0);
      expect(Number(m![3])).toBeGreaterThan(0);
    }
    // The records written carry the owner id from the environment: the example's own listing shows them as its.
    expect(run.stdout).toMatch(/^nginx\.mynamespace\.myfederation\.svc\.example\.com\.\s+A\s+30\s+/m);
  }, 120_000);
});
