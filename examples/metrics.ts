// Prometheus metrics from the controller's events (`controllerMetrics`, from `@fedsvc/cli/metrics`),
// served with prom-client.
//
//   pnpm tsx --conditions=@fedsvc/source examples/metrics.ts            # serves :9464/metrics until Ctrl-C
//   pnpm tsx --conditions=@fedsvc/source examples/metrics.ts --once     # runs the guide's scenario, prints, exits
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createController } from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { Registry } from 'prom-client';
import { controllerMetrics } from '@fedsvc/cli/metrics';

export { controllerMetrics };

/** Serves `registry` at `/metrics` on 127.0.0.1 (port 0: any free port). */
export async function serveMetrics(registry: Registry, port: number): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server };
}

async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  const zones = ['us-central1-a', 'us-central1-b', 'us-central1-f', 'us-east1-b', 'europe-west1-b'];
  const regionOf = (zone: string) => zone.slice(0, zone.lastIndexOf('-'));
  const clusters = new MemoryClusters(
    zones.map((zone, i) => ({
      name: `gce-${zone}`,
      zones: [zone],
      region: regionOf(zone),
      loadBalancerAddresses: [`203.0.113.${i + 1}`],
    })),
  );
  const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'example-dot-com' }] });
  const controller = createController({
    federation: { name: 'myfederation', domain: 'example.com' },
    ownerId: 'metrics-example',
    clusters,
    dns: { provider, zone: { id: 'example-dot-com', dnsName: 'example.com.' } },
  });
  const registry = new Registry();
  controllerMetrics(controller, registry);
  const { url, server } = await serveMetrics(registry, once ? 0 : 9464);
  controller.start();

  controller.applyService({
    manifest: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'mynamespace', name: 'nginx' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    },
  });
  await controller.idle();
  for (const zone of zones.slice(0, 4)) clusters.setReadyEndpoints(`gce-${zone}`, 'mynamespace', 'nginx', 1);
  await controller.idle();
  // A transient DNS failure, retried: it shows in fedsvc_apply_errors_total.
  provider.failNext(10, { on: 'write' });
  clusters.setReadyEndpoints('gce-us-central1-a', 'mynamespace', 'nginx', 0);
  await controller.idle();

  if (once) {
    const text = await (await fetch(url)).text();
    console.log(
      text
        .split('\n')
        .filter((line) => line.startsWith('fedsvc_'))
        .join('\n'),
    );
    await controller.stop();
    server.close();
    return;
  }
  console.log(`serving ${url}; Ctrl-C to stop`);
  process.once('SIGINT', () => {
    void controller.stop().then(() => server.close());
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
