// @fedsvc/cli: the `fedsvc` command, and the pieces it is made of for those who embed them.
export { main, program, type CliIo } from './main.js';
export { FIELDS, PROVIDERS, envOf, flagOf, type FieldKind, type FieldSpec, type ProviderName } from './config/fields.js';
export type { FedsvcConfig } from './config/config.js';
export type { ConfigSources } from './config/read.js';
export { ConfigError, setUp, type Setup, type SetupNeeds } from './config/setup.js';
export { Readiness, type ReadyState } from './readiness.js';
export { serveEndpoints } from './http.js';
export { formatPlan, type ServicePlan } from './commands/plan.js';
export { recordsTable } from './commands/records.js';
export { formatStatus } from './commands/status.js';
export { federate, federatedService, type FederateOptions } from './commands/federate.js';
