// A member cluster's topology, its zones and region, from its nodes' labels as they are listed and
// watched. A node whose labels make no topology is reported and left out.
import { decodeNode, objectRef } from './decode.js';
import type { BadInput } from './bad-input.js';
import type { ListWatchHandlers } from './list-watch.js';
import { type NodeTopology, type Topology, clusterTopology, nodeTopology } from './topology.js';

/** List-watch handlers of the nodes, telling `onTopology` the cluster's topology after every change. */
export function topologyHandlers(bad: BadInput, onTopology: (topology: Topology | { reason: string }) => void): ListWatchHandlers {
  const nodes = new Map<string, NodeTopology>();
  const setNode = (value: unknown): void => {
    const node = bad.decode(decodeNode, value);
    if (!node) return;
    const read = nodeTopology(node.name, node.labels);
    if (read instanceof Error) {
      bad.report(read);
      nodes.delete(node.name);
    } else {
      nodes.set(node.name, read);
    }
  };
  return {
    replace(items) {
      nodes.clear();
      items.forEach(setNode);
      onTopology(clusterTopology([...nodes.values()]));
    },
    event(type, object) {
      if (type === 'DELETED') {
        const ref = objectRef(object);
        if (ref.name !== undefined) nodes.delete(ref.name);
      } else {
        setNode(object);
      }
      onTopology(clusterTopology([...nodes.values()]));
    },
    error: bad.report,
  };
}
