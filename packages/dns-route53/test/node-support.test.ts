// The AWS SDK versions this package allows support the Node versions it declares: importing the
// adapter and sending a request prints no Node-version deprecation warning (newer SDK versions
// print one on Node 20 at every client's creation, and will need Node 22).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const child = fileURLToPath(new URL('./node-support.child.ts', import.meta.url));

function run(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@fedsvc/source', child],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('Node support of the AWS SDK', () => {
  it('importing the adapter and sending a request prints no warning, on stderr or as a process warning', async () => {
    const { code, stdout, stderr } = await run();
    expect(code).toBe(0);
    const seen = JSON.parse(stdout) as { zones: string[]; warnings: string[] };
    expect(seen.zones).toEqual(['example.com.']);
    // Only the child's own probe: warnings were caught, and the SDK emitted none.
    expect(seen.warnings).toEqual(['FedsvcProbe: probe']);
    expect(stderr).not.toMatch(/NodeVersionSupportWarning|node >=22|AWS SDK/);
  }, 90_000);

  it('every AWS SDK package is held to versions that support Node 20 (no range that floats past them)', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
      dependencies: Record<string, string>;
    };
    expect(manifest.engines.node).toMatch(/^\^20/);
    const aws = Object.entries(manifest.dependencies).filter(([name]) => name.startsWith('@aws-sdk/'));
    expect(aws.map(([name]) => name).sort()).toEqual(['@aws-sdk/client-route-53', '@aws-sdk/core']);
    // Bounded above: a caret or tilde range, or none, would take the versions that need Node 22.
    for (const [name, range] of aws) expect(range, name).toMatch(/^(\d+\.\d+\.\d+|>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+)$/);
  });
});
