// Small measuring helpers shared by the benchmarks. Figures are medians over several runs
// after a warm-up, so that JIT compilation and one-off GC pauses do not decide the result.
import { cpus, totalmem } from 'node:os';

export const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Median and spread of `runs` timings of `fn`, after `warmup` untimed calls. */
export function time<T>(fn: () => T, { runs = 7, warmup = 2 } = {}): { median: number; min: number; max: number; last: T } {
  let last = fn();
  for (let i = 1; i < warmup; i++) last = fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const start = performance.now();
    last = fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, min: samples[0]!, max: samples[samples.length - 1]!, last };
}

/** Percentile of already-collected samples (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Heap held by what `make` returns, in MiB, measured between two full collections. */
export function retainedHeap<T>(make: () => T): { mib: number; value: T } {
  gc();
  const before = process.memoryUsage().heapUsed;
  const value = make();
  gc();
  return { mib: (process.memoryUsage().heapUsed - before) / 2 ** 20, value };
}

export const ms = (n: number): string => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
