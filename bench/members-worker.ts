// A worker thread serving a share of a bench federation's member clusters (see `members.ts`):
// one Kubernetes API wire fixture per member, each with its node, and the member's cloud
// controller and kubelets when it is given shards to answer.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { FakeKubeApi, endpointSlice } from '@fedsvc/kubernetes/testing';
import type { AnsweredShard, MemberEnvelope, MemberReplies, MemberRequest, MemberSpec } from './members.js';
import { threadCpuSeconds } from './proc.js';

const port = parentPort;
if (port === null) throw new Error('members-worker.ts runs as a worker thread (members.ts starts it)');

const apis = new Map<string, FakeKubeApi>();
const delay = monitorEventLoopDelay({ resolution: 20 });
delay.enable();
let cpuAtStart = threadCpuSeconds();

/** The cloud controller and the kubelets of one member: each shard Service created gets its address and endpoints. */
function answerShards(api: FakeKubeApi, cluster: string, shards: readonly AnsweredShard[]): void {
  const byService = new Map(shards.map((shard) => [shard.service, shard]));
  api.store.subscribe((event) => {
    if (event.resource !== 'services' || event.type !== 'ADDED') return;
    const { namespace, name } = event.object['metadata'] as { namespace: string; name: string };
    const shard = byService.get(`${namespace}/${name}`);
    if (shard === undefined) return;
    // Not within the store's own write: the fixture tells its watches first.
    setImmediate(() => {
      api.setIngress(
        namespace,
        name,
        shard.addresses.map((ip) => ({ ip })),
      );
      api.putEndpointSlice(endpointSlice(namespace, name, `${name}-${cluster}`, shard.readyEndpoints));
    });
  });
}

async function startMember(member: MemberSpec): Promise<string> {
  const api = await FakeKubeApi.start({ token: member.token });
  apis.set(member.name, api);
  api.setNode(`${member.name}-node`, {
    'topology.kubernetes.io/zone': member.zone,
    'topology.kubernetes.io/region': member.region,
  });
  if (member.shards !== undefined) answerShards(api, member.name, member.shards);
  return api.url;
}

function memberApi(name: string): FakeKubeApi {
  const api = apis.get(name);
  if (api === undefined) throw new Error(`no member ${name} in this worker`);
  return api;
}

async function answer(request: MemberRequest): Promise<MemberReplies[MemberRequest['type']]> {
  switch (request.type) {
    case 'start': {
      const urls = await Promise.all(request.members.map(startMember));
      // Delays and CPU time from here on are the members serving, not the servers starting.
      delay.reset();
      cpuAtStart = threadCpuSeconds();
      return urls;
    }
    case 'setReady':
      memberApi(request.member).setReady(request.state);
      return null;
    case 'census':
      return {
        services: [...apis.values()].reduce((sum, api) => sum + api.store.list('services').length, 0),
        eventLoopDelayMaxMs: delay.max / 1e6,
        cpuSeconds: threadCpuSeconds() - cpuAtStart,
      };
    case 'stop':
      await Promise.all([...apis.values()].map((api) => api.stop()));
      apis.clear();
      delay.disable();
      return null;
  }
}

port.on('message', ({ id, request }: MemberEnvelope) => {
  answer(request).then(
    (value) => port.postMessage({ id, ok: true, value }),
    (error: unknown) => port.postMessage({ id, ok: false, error: String(error) }),
  );
});
