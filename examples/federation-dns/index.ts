// A pod's view of a federated service: this responder plays the cluster DNS (kube-dns) of the
// guide's cluster in us-central1-f, and the authoritative server holds the guide's records.
//
//   pnpm tsx --conditions=@fedsvc/source examples/federation-dns/index.ts --local                # starts a BIND 9 here
//   pnpm tsx --conditions=@fedsvc/source examples/federation-dns/index.ts --upstream 192.0.2.53 --listen 127.0.0.1:5353
//
// Press Enter to flip the local nginx shard between healthy and without ready endpoints; Ctrl-C stops.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { MemoryClusters } from '@fedsvc/core/testing';
import { ValidationError, type FederatedQueryContext } from '@fedsvc/core';
import { guideClusterName, guideFederation, guideService, regionOfZone } from '@fedsvc/core/testing';
import { startBind, type BindServer } from '@fedsvc/dns-rfc2136/testing';
import { guideRecords, zoneLines } from './guide-zone.js';
import { startResponder, type ResponderServer } from './server.js';

const USAGE = `usage:
  examples/federation-dns/index.ts --local [options]
  examples/federation-dns/index.ts --upstream HOST[:PORT] [options]

  --local            start a BIND 9 here with the guide's records, and use it as the upstream
  --upstream         the server names outside the cluster domain (and remote CNAMEs) go to
  --listen           HOST:PORT to answer on (default 127.0.0.1:0, a free port)
  --zone             the zone of the cluster the pods run in (default us-central1-f)
  --ready            ready endpoints of the local nginx shard (default 0, as in the guide)
  --cluster-domain   the cluster's DNS domain (default cluster.local)`;

/** `host:port`, `[v6]:port`, or a bare host (port `fallback`). */
function hostPort(flag: string, text: string, fallback: number): { host: string; port: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const port = match?.[2] === undefined ? fallback : Number(match[2]);
  if (!match || !(port >= 0 && port <= 65_535)) throw new ValidationError(flag, text, 'must be HOST or HOST:PORT');
  return { host: match[1]!, port };
}

function readOptions(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      local: { type: 'boolean' },
      upstream: { type: 'string' },
      listen: { type: 'string' },
      zone: { type: 'string' },
      ready: { type: 'string' },
      'cluster-domain': { type: 'string' },
    },
  });
  if ((values.local === true) === (values.upstream !== undefined))
    throw new ValidationError('--local/--upstream', values.upstream, 'give exactly one of them');
  const ready = Number(values.ready ?? '0');
  if (!Number.isInteger(ready) || ready < 0) throw new ValidationError('--ready', values.ready, 'must be a whole number, at least 0');
  return {
    upstream: values.upstream === undefined ? undefined : hostPort('--upstream', values.upstream, 53),
    listen: hostPort('--listen', values.listen ?? '127.0.0.1:0', 53),
    zone: values.zone ?? 'us-central1-f',
    ready,
    clusterDomain: values['cluster-domain'] ?? 'cluster.local',
  };
}

let options: ReturnType<typeof readOptions>;
try {
  options = readOptions(process.argv.slice(2));
} catch (error) {
  console.error(`failed: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}

let bind: BindServer | undefined;
let responder: ResponderServer | undefined;
const stop = async () => {
  await responder?.stop();
  await bind?.stop();
};
try {
  if (!options.upstream) bind = await startBind({ zones: [guideFederation.domain], records: zoneLines(guideRecords()) });
  const upstream = options.upstream ?? { host: bind!.host, port: bind!.port };

  // The local cluster and its nginx shard; the responder reads it on every query, so a change shows at once.
  const cluster = guideClusterName(options.zone);
  const clusters = new MemoryClusters([{ name: cluster, zones: [options.zone], region: regionOfZone(options.zone) }]);
  const { namespace, name } = guideService;
  clusters.putService(cluster, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { run: 'nginx' } },
    spec: { selector: { run: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  });
  clusters.setReadyEndpoints(cluster, namespace, name, options.ready);
  const localService: FederatedQueryContext['localService'] = (ns, svc) => clusters.shard(cluster, ns, svc);

  responder = await startResponder({
    host: options.listen.host,
    port: options.listen.port,
    upstream,
    federation: guideFederation,
    zone: options.zone,
    region: regionOfZone(options.zone),
    clusterDomain: options.clusterDomain,
    localService,
    onError: (error) => console.error(`responder: ${error instanceof Error ? error.message : String(error)}`),
  });

  const at = `@${responder.host} -p ${responder.port}`;
  const federated = `${name}.${namespace}.${guideFederation.name}.svc.${options.clusterDomain}`;
  const state = () => {
    const shard = clusters.shard(cluster, namespace, name)!;
    return `local shard ${namespace}/${name} in ${cluster}: cluster IP ${shard.clusterIP}, ${shard.readyEndpoints} ready endpoint(s) → ${shard.readyEndpoints > 0 ? 'answered locally' : "CNAME to the zone's federated name"}`;
  };
  console.log(
    `cluster DNS for pods in ${options.zone} (${regionOfZone(options.zone)}) on ${responder.host}:${responder.port}, upstream ${bind ? 'BIND 9 started here' : 'server'} at ${upstream.host}:${upstream.port}`,
  );
  console.log(state());
  console.log(`
try:
  dig ${at} ${federated}                 # the pod's query; a remote CNAME is followed through the upstream
  dig ${at} +norecurse ${federated}      # just the CNAME, as a pod's resolver would get it without recursion
  dig ${at} ${name}.${namespace}.svc.${options.clusterDomain}             # the cluster-local name: its cluster IP
  dig ${at} ${name}.${namespace}.${guideFederation.name}.default.svc.${options.clusterDomain}   # a search-path expansion: NXDOMAIN, the pod's resolver moves on
  dig @${upstream.host} -p ${upstream.port} ${name}.${namespace}.${guideFederation.name}.svc.${options.zone}.${guideFederation.domain}   # the zonal name, asked of the upstream
Enter flips the local shard's health; Ctrl-C stops.`);

  const lines = createInterface({ input: process.stdin });
  lines.on('line', () => {
    const shard = clusters.shard(cluster, namespace, name)!;
    clusters.setReadyEndpoints(cluster, namespace, name, shard.readyEndpoints > 0 ? 0 : 2);
    console.log(state());
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  lines.close();
} catch (error) {
  console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await stop();
}
