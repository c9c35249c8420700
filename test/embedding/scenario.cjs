// The embedding scenario, shared by esm.mjs and cjs.cjs. It loads nothing itself: each program
// passes the modules it loaded its own way (import or require), so both loaders are exercised.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const OWNER = 'embedding';

/** Fails the program with a message that says what was expected. */
function check(condition, message) {
  if (!condition) {
    const error = new Error(message);
    error.name = 'EmbeddingCheckFailed';
    throw error;
  }
}

/** `name TYPE ttl rrdata,rrdata` with the rrdatas sorted: equal strings, equal record sets. */
const key = (set) => `${set.name} ${set.type} ${set.ttl} ${[...set.rrdatas].sort().join(',')}`;

/** What is in `a` and not in `b`. */
const missing = (a, b) => a.filter((item) => !b.includes(item));

/**
 * Every entry point of every installed @fedsvc package, from the installed manifests, so an
 * entry added later is covered without touching this file: [{ pkg, specifier }].
 */
function entryPoints(projectDir) {
  const scope = join(projectDir, 'node_modules', '@fedsvc');
  const names = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')).dependencies;
  const out = [];
  for (const pkg of Object.keys(names).filter((name) => name.startsWith('@fedsvc/')).sort()) {
    const manifest = JSON.parse(readFileSync(join(scope, pkg.slice('@fedsvc/'.length), 'package.json'), 'utf8'));
    for (const subpath of Object.keys(manifest.exports)) {
      out.push({ pkg, specifier: subpath === '.' ? pkg : `${pkg}/${subpath.slice(2)}` });
    }
  }
  return out;
}

/** Loads every entry point with `load` and checks each has named exports. */
async function loadEveryEntry(projectDir, load, how) {
  const entries = entryPoints(projectDir);
  check(entries.length >= 6, `${how}: expected every @fedsvc package installed, found ${entries.length} entry points`);
  for (const { specifier } of entries) {
    let module;
    try {
      module = await load(specifier);
    } catch (error) {
      throw new Error(`${how}('${specifier}') failed: ${error && error.code ? `${error.code}: ` : ''}${error && error.message}`);
    }
    const names = Object.keys(module).filter((name) => name !== 'default' && name !== '__esModule' && name !== 'module.exports');
    check(names.length > 0, `${how}('${specifier}') loaded a module without named exports`);
    console.log(`  ${how}('${specifier}'): ${names.length} exports`);
  }
  return entries.length;
}

/**
 * (a) plans the guide's records; (b) runs the controller over the guide's clusters in memory
 * and checks the zone then holds exactly the planned record sets (and their ownership markers).
 */
async function run({ core, testing, memory }, label) {
  const { guideFederation: federation, guideService: service, guideClusters: clusters, guideShards: shards } = testing;

  // (a) planning
  const planned = core.planServiceRecords({ federation, service, clusters, shards });
  const viaFederation = core.planFederation({ federation, clusters, services: [{ service, shards }] });
  check(planned.length > 0, 'planServiceRecords planned no record sets for the guide');
  check(JSON.stringify(planned.map(key).sort()) === JSON.stringify(viaFederation.map(key).sort()),
    'planFederation and planServiceRecords disagree on the guide');
  const globalName = 'nginx.mynamespace.myfederation.svc.example.com.';
  const global = planned.find((set) => set.name === globalName && set.type === 'A');
  check(global !== undefined && key(global) === key({ name: globalName, type: 'A', ttl: 180, rrdatas: Object.values(testing.guideHealthyAddresses) }),
    `the global A record set is not the guide's: ${global ? key(global) : 'none'}`);
  console.log(`  ${label}: planned ${planned.length} record sets for the guide`);

  // One class across entry points and packages: dns-memory's ValidationError is core's.
  let thrown;
  try {
    memory.createMemoryProvider({ zones: [], pageSize: 0 });
  } catch (error) {
    thrown = error;
  }
  check(thrown instanceof core.ValidationError && thrown.field === 'pageSize',
    `dns-memory did not throw @fedsvc/core's ValidationError for a bad pageSize (got ${thrown})`);

  // (b) the controller over memory clusters and the memory provider
  const members = new testing.MemoryClusters(testing.guideZones.map((zone) => ({
    name: testing.guideClusterName(zone), zones: [zone], region: testing.regionOfZone(zone),
    loadBalancerAddresses: [testing.guideLoadBalancerAddresses[zone]],
  })));
  const provider = memory.createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'example-dot-com' }] });
  const zone = { id: 'example-dot-com', dnsName: 'example.com.' };
  const controller = core.createController({ federation, ownerId: OWNER, clusters: members, dns: { provider, zone } });
  const timer = setTimeout(() => {
    console.error(`${label}: FAILED: the controller was not idle after 60 s`);
    process.exit(1);
  }, 60_000);
  try {
    controller.start();
    controller.applyService(testing.guideNginx);
    await controller.idle();
    for (const ready of Object.keys(testing.guideHealthyAddresses)) {
      members.setReadyEndpoints(testing.guideClusterName(ready), service.namespace, service.name, 1);
    }
    await controller.idle();
  } finally {
    clearTimeout(timer);
  }
  const held = await provider.records(zone);
  await controller.stop();

  const apex = held.filter((set) => set.name === zone.dnsName && (set.type === 'SOA' || set.type === 'NS'));
  const markers = held.filter((set) => core.markerOwner(set) === OWNER);
  const ours = held.filter((set) => !apex.includes(set) && !markers.includes(set));
  const want = planned.map(key).sort();
  const got = ours.map(key).sort();
  if (JSON.stringify(want) !== JSON.stringify(got)) {
    throw new Error(`the zone does not hold exactly the planned record sets\n  missing:\n    ${missing(want, got).join('\n    ') || '(none)'}\n  unexpected:\n    ${missing(got, want).join('\n    ') || '(none)'}`);
  }
  const marked = markers.map((set) => core.ownershipSubject(set.name)).sort();
  const names = [...new Set(planned.map((set) => set.name))].sort();
  check(JSON.stringify(marked) === JSON.stringify(names),
    `the ownership markers do not name exactly the planned names: ${marked.join(' ')}`);
  console.log(`  ${label}: the controller wrote exactly the ${planned.length} planned record sets (+ ${markers.length} ownership markers)`);
}

module.exports = { check, loadEveryEntry, run };
