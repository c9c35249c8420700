// `@fedsvc/discovery`: in-cluster discovery of federated services. A DNS responder for a member
// cluster's `<federation>.svc.<cluster domain>`, behind the cluster's DNS, answering pods with
// the local shard when it is healthy and with their zone's federated name otherwise.
export { startDiscovery, type Discovery, type DiscoveryOptions, type QueryKind } from './discovery.js';
export type { DiscoveryConfig } from './catalog.js';
export type { AnswerKind } from './answer.js';
