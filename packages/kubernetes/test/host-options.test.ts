// The host source's options are checked before anything connects: a malformed rate or window is
// a ValidationError naming the option and the value.
import { fc, test } from '@fast-check/vitest';
import { ValidationError } from '@fedsvc/core';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect } from 'vitest';
import { resolveHostOptions } from '../src/host/options.js';

const kubeConfig = new KubeConfig();
kubeConfig.loadFromClusterAndUser({ name: 'host', server: 'https://127.0.0.1:1', skipTLSVerify: true }, { name: 'admin' });
const base = { kubeConfig, namespace: 'fedsvc-system' };
const RATES = ['statusCoalesceMs', 'writesPerSecond', 'writeBurst', 'eventsPerSecond', 'eventBurst'] as const;

describe('host source options', () => {
  test('defaults: statuses and finalizers 20/s burst 30, Events apart at 10/s burst 25', () => {
    const resolved = resolveHostOptions(base);
    expect(resolved.writes).toEqual({ perSecond: 20, burst: 30 });
    expect(resolved.events).toEqual({ perSecond: 10, burst: 25 });
    expect(resolved.statusCoalesceMs).toBe(1_000);
  });

  test.prop([fc.constantFrom(...RATES), fc.oneof(fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY), fc.string(), fc.boolean())])(
    'a rate, burst or window that is not a positive number is refused, named',
    (option, value) => {
      let thrown: unknown;
      try {
        resolveHostOptions({ ...base, [option]: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).field).toBe(`options.${option}`);
      expect(Object.is((thrown as ValidationError).value, value)).toBe(true);
    },
  );
});
