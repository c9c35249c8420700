// examples/route53.ts with FEDSVC_HOSTED_ZONE_ID: a public and a private hosted zone share the
// name (the local server holds both), so only the id can say which one to write.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runRoute53(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FEDSVC_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@fedsvc/source', 'examples/route53.ts', '--local'],
      { cwd: root, timeout: 60_000, env: { ...clean, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

describe('Route 53 example with FEDSVC_HOSTED_ZONE_ID (--local)', () => {
  it('writes into the zone with that id although a private zone has the same name', async () => {
    const run = await runRoute53({ FEDSVC_HOSTED_ZONE_ID: '/hostedzone/Z0FEDSVCLOCAL1' });
    expect(run.stderr).not.toMatch(/failed:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^hosted zone example\.com\. \(Z0FEDSVCLOCAL1\) on the local Route 53/m);
    expect([...run.stdout.matchAll(/^(\d+) ChangeResourceRecordSets request\(s\)/gm)].map((m) => Number(m[1]))).toEqual([1, 1, 0]);
  }, 90_000);

  it('an id that is not a hosted zone id is refused before anything is sent', async () => {
    const run = await runRoute53({ FEDSVC_HOSTED_ZONE_ID: 'not-an-id' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed: .*hostedZoneIds\[0\]/);
  }, 90_000);
});
