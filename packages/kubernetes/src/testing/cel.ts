// The fixture has no CEL interpreter: each `x-kubernetes-validations` rule the package's CRDs
// contain is evaluated by a hand-written equivalent, keyed by the rule's exact text. A CRD with any
// other rule is refused when installed, so a rule is never silently skipped.
import { type Json, isObject } from './fields.js';

type Rule = (self: Json) => boolean;

const has = (self: Json, field: string): boolean => isObject(self) && self[field] !== undefined;
const size = (value: Json | undefined): number => (Array.isArray(value) ? value.length : 0);

const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  [
    "(has(self.type) && self.type == 'ExternalName') || (has(self.ports) && size(self.ports) > 0)",
    (self) => isObject(self) && (self['type'] === 'ExternalName' || size(self['ports']) > 0),
  ],
  ['has(self.region) == has(self.zones)', (self) => has(self, 'region') === has(self, 'zones')],
  ['!(has(self.clusters) && has(self.clusterSelector))', (self) => !(has(self, 'clusters') && has(self, 'clusterSelector'))],
  [
    "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)",
    (self) =>
      isObject(self) && (['In', 'NotIn'].includes(String(self['operator'])) ? size(self['values']) > 0 : size(self['values']) === 0),
  ],
]);

/** The evaluator of a CEL rule the fixture knows, or undefined. */
export function celRule(rule: string): Rule | undefined {
  return RULES.get(rule);
}
