// Kubernetes label selectors: checked as the API server would check them, and matched against a
// member cluster's labels to choose the clusters a federated Service is placed in.
import { ValidationError } from '../errors.js';
import { isDns1123Subdomain } from '../dns/names.js';

/** Kubernetes label selector (`matchLabels` and `matchExpressions` are ANDed). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const isLabelValue = (value: unknown): boolean => value === '' || (typeof value === 'string' && LABEL_NAME.test(value));
/** A label key: a name, optionally after a DNS-1123 subdomain prefix and `/`. */
function isLabelKey(key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const slash = key.lastIndexOf('/');
  return LABEL_NAME.test(key.slice(slash + 1)) && (slash < 0 || isDns1123Subdomain(key.slice(0, slash)));
}

/**
 * A selector as the API server would take it. A selector it would refuse must not be guessed at:
 * one that selects fewer clusters than meant deletes the shards the others hold.
 *
 * @param selector - The selector as given; `undefined` is no selector (every cluster).
 * @param field - The selector's path, named in the error (e.g. `spec.placement.clusterSelector`).
 * @returns The selector, unchanged; `undefined` when absent.
 * @throws {@link ValidationError} naming the path of the first malformed part.
 */
export function validateSelector(selector: unknown, field: string): LabelSelector | undefined {
  if (selector === undefined) return undefined;
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector))
    throw new ValidationError(field, selector, 'must be a label selector object');
  const { matchLabels, matchExpressions } = selector as Record<string, unknown>;
  if (matchLabels !== undefined) validateMatchLabels(matchLabels, `${field}.matchLabels`);
  if (matchExpressions !== undefined) {
    if (!Array.isArray(matchExpressions)) throw new ValidationError(`${field}.matchExpressions`, matchExpressions, 'must be a list');
    matchExpressions.forEach((expression: unknown, i) => validateMatchExpression(expression, `${field}.matchExpressions[${i}]`));
  }
  return selector as LabelSelector;
}

function validateMatchLabels(matchLabels: unknown, field: string): void {
  if (typeof matchLabels !== 'object' || matchLabels === null || Array.isArray(matchLabels))
    throw new ValidationError(field, matchLabels, 'must be an object of label keys to values');
  for (const [key, value] of Object.entries(matchLabels)) {
    if (!isLabelKey(key))
      throw new ValidationError(
        field,
        key,
        'must be a label key (an optional DNS-1123 subdomain and "/", then a name of at most 63 characters)',
      );
    if (!isLabelValue(value)) throw new ValidationError(`${field}.${key}`, value, 'must be a label value (at most 63 characters)');
  }
}

function validateMatchExpression(expression: unknown, at: string): void {
  if (typeof expression !== 'object' || expression === null)
    throw new ValidationError(at, expression, 'must be an object with key and operator');
  const { key, operator, values } = expression as Record<string, unknown>;
  if (!isLabelKey(key)) throw new ValidationError(`${at}.key`, key, 'must be a label key');
  if (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist') {
    throw new ValidationError(`${at}.operator`, operator, 'must be In, NotIn, Exists or DoesNotExist');
  }
  const listed = operator === 'In' || operator === 'NotIn';
  if (values !== undefined && (!Array.isArray(values) || !values.every(isLabelValue)))
    throw new ValidationError(`${at}.values`, values, 'must be a list of label values');
  if (listed && (values === undefined || values.length === 0))
    throw new ValidationError(`${at}.values`, values, `must not be empty with ${operator}`);
  if (!listed && values !== undefined && values.length > 0)
    throw new ValidationError(`${at}.values`, values, `must be empty with ${operator}`);
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    const ok =
      operator === 'In'
        ? has && values.includes(value!)
        : operator === 'NotIn'
          ? !has || !values.includes(value!)
          : operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}
