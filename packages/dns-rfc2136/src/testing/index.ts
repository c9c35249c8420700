// `@fedsvc/dns-rfc2136/testing`: the BIND 9 harness, for this package's tests and examples' end-to-end tests.
export { BIND_INSTALL_HINT, findNamed, startBind, type BindOptions, type BindServer } from './bind.js';
export { startDnsProxy, type DnsProxy } from './proxy.js';
