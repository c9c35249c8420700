// What is list-watched in a member cluster: its nodes, and its Services and EndpointSlices (of one
// namespace, or all), a page at a time.
import type { CoreV1Api, DiscoveryV1Api, Watch } from '@kubernetes/client-node';
import { abortedBy } from './deadline.js';
import type { ListWatchSource } from './list-watch.js';

export function nodeSource(core: CoreV1Api, watch: Watch, pageSize: number): ListWatchSource {
  return {
    resource: 'nodes',
    watchPath: '/api/v1/nodes',
    watch,
    list: (token, signal) => core.listNode({ limit: pageSize, _continue: token }, abortedBy(signal)),
  };
}

export function serviceSource(core: CoreV1Api, watch: Watch, namespace: string | undefined, pageSize: number): ListWatchSource {
  return {
    resource: 'services',
    watchPath: namespace ? `/api/v1/namespaces/${namespace}/services` : '/api/v1/services',
    watch,
    list: (token, signal) => {
      const page = { limit: pageSize, _continue: token };
      return namespace
        ? core.listNamespacedService({ namespace, ...page }, abortedBy(signal))
        : core.listServiceForAllNamespaces(page, abortedBy(signal));
    },
  };
}

export function endpointSliceSource(
  discovery: DiscoveryV1Api,
  watch: Watch,
  namespace: string | undefined,
  pageSize: number,
): ListWatchSource {
  return {
    resource: 'endpointslices',
    watchPath: namespace ? `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices` : '/apis/discovery.k8s.io/v1/endpointslices',
    watch,
    list: (token, signal) => {
      const page = { limit: pageSize, _continue: token };
      return namespace
        ? discovery.listNamespacedEndpointSlice({ namespace, ...page }, abortedBy(signal))
        : discovery.listEndpointSliceForAllNamespaces(page, abortedBy(signal));
    },
  };
}
