// `fedsvc run` when every pass fails for a reason retrying cannot fix: BIND serves the zone and
// lets the key read it, but refuses every UPDATE (its policy does not let the key write). The
// process says so at error level, its first sync settles, /readyz answers 503 naming the
// service and why, and nothing is retried.
import { guideClusterName, guideHealthyAddresses, guideNginx } from '@fedsvc/core/testing';
import { endpointSlice } from '@fedsvc/kubernetes/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Fedsvc, startFedsvc, until } from './harness.js';
import { bindBackend } from './dns-servers.js';
import { type World, startWorld } from './world.js';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly service?: string;
  readonly reason?: string;
  readonly error?: string;
}

const lines = (fedsvc: Fedsvc): LogLine[] =>
  fedsvc
    .stdout()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);

describe('fedsvc run against a DNS server that refuses every UPDATE', () => {
  let world: World;
  let fedsvc: Fedsvc | undefined;

  beforeAll(async () => {
    world = await startWorld(bindBackend({ updates: false }));
    // The guide's Services are up before the federation comes: its first pass adopts them and
    // has the healthy shards' records to write.
    for (const [zone, address] of Object.entries(guideHealthyAddresses)) {
      const api = world.members.get(guideClusterName(zone))!;
      api.putService(JSON.parse(JSON.stringify(guideNginx.manifest)));
      api.setIngress('mynamespace', 'nginx', [{ ip: address }]);
      api.putEndpointSlice(endpointSlice('mynamespace', 'nginx', `nginx-${zone}`, 1));
    }
  }, 60_000);
  afterAll(async () => {
    fedsvc?.child.kill('SIGKILL');
    await fedsvc?.exited;
    await world?.stop();
  });

  test('an error line once, the first sync settles, /readyz 503 with the reason, no retry', async () => {
    fedsvc = startFedsvc(['run', '--config', await world.writeConfig(world.config)]);
    const running = fedsvc;
    await until('the endpoints listen', () => /"url":"(http:[^"]+)"/.test(running.stdout()), 60_000);
    const url = /"url":"(http:[^"]+)"/.exec(running.stdout())![1]!;
    await until('the first sync is done', () => lines(running).some((line) => line.msg === 'first sync done'), 60_000);
    const errors = () => lines(running).filter((line) => line.level >= 50);
    expect(errors()).toEqual([
      expect.objectContaining({ service: 'mynamespace/nginx', reason: 'denied', msg: expect.stringMatching(/retrying cannot fix/) }),
    ]);
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/^not ready:\n- mynamespace\/nginx: denied: .*REFUSED.*\n$/);
    // Not retried: no further failure is logged, at any level, while the process runs on.
    const failures = lines(running).filter((line) => /apply failed/.test(line.msg)).length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(lines(running).filter((line) => /apply failed/.test(line.msg))).toHaveLength(failures);
    expect(errors()).toHaveLength(1);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 180_000);
});
