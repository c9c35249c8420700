// `@fedsvc/dns-rfc2136/testing`: real BIND 9, Knot DNS and PowerDNS servers on loopback, for this
// package's tests and examples' end-to-end tests, and a proxy that counts and fails requests.
export { BIND_INSTALL_HINT, findNamed, startBind, type BindOptions, type BindServer } from './bind.js';
export { KNOT_INSTALL_HINT, findKnotd, startKnot, type KnotServer } from './knot.js';
export { POWERDNS_INSTALL_HINT, findPdnsServer, startPowerDns, type PowerDnsOptions, type PowerDnsServer } from './powerdns.js';
export { startDnsProxy, type DnsProxy } from './proxy.js';
export { SERVER_KINDS, startDnsServer, type DnsServer, type DnsServerOptions, type ServerKindName } from './servers.js';
