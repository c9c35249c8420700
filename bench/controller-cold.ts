// One side of the controller bench's start-up, in a process of its own, cold: nothing compiled
// and the heap empty but for its world, as a controller's start-up always is. `figure` is the
// controller's start-up: placing every shard, then the first convergence. `floor` is placing's
// floor, then the first convergence's floor over the world it placed: the first convergence
// follows placing in the controller's process, so its floor follows placing's in its own.
// Prints one JSON line: each measure's wall time and CPU (the process's, all threads), ms.
import { placementFloor, readyEverywhere, replanFloor, startUp } from './controller-world.js';

const side = process.argv[2];
if (side === 'figure') {
  const { controller, placing, convergence } = await startUp();
  console.log(JSON.stringify({ placing: { wall: placing.shards, cpu: placing.cpu }, convergence: convergence.own }));
  await controller.stop();
} else if (side === 'floor') {
  const placing = placementFloor();
  readyEverywhere(placing.world);
  const convergence = replanFloor(placing.world, new Set(), []);
  console.log(JSON.stringify({ placing: { wall: placing.wall, cpu: placing.cpu }, convergence }));
} else {
  throw new Error(`side: expected figure or floor, got ${side}`);
}
// The controller's queues hold timers for up to a second after it stops; the figures are out.
process.exit(0);
