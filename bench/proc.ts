// What Linux says of a process or a thread: resident memory and the CPU time used.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Peak (VmHWM) and current (VmRSS) resident set, MiB. */
export function residentMemory(pid: number): { peakMib: number; nowMib: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMib: kib('VmHWM') / 1024, nowMib: kib('VmRSS') / 1024 };
}

/** User + system CPU time of the process (all its threads) so far, in seconds. */
export function cpuSeconds(pid: number): number {
  return cpuSecondsOf(`/proc/${pid}/stat`);
}

/** User + system CPU time of the calling thread so far, in seconds: a worker's own, or the main thread's. */
export function threadCpuSeconds(): number {
  return cpuSecondsOf('/proc/thread-self/stat');
}

function cpuSecondsOf(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
