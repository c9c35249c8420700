// The process's logger: pino's JSON lines, or one readable line per entry on a terminal.
import { Writable } from 'node:stream';
import { type Logger as PinoLogger, pino } from 'pino';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** One JSON log line as a person reads it: `23:09:17.042 INFO  message key=value …`. */
export function readableLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry['time'] === 'number' ? new Date(entry['time']).toISOString().slice(11, 23) : '';
  const level = (LEVEL_NAMES[entry['level'] as number] ?? String(entry['level'])).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  return [time, level, entry['msg'] ?? '', ...fields].filter((part) => part !== '').join(' ');
}

/** A stream of pino's lines that writes them readable to `out`. */
function readable(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') out.write(`${readableLine(line)}\n`);
      done();
    },
  });
}

/**
 * A pino logger at `level` writing to `out`: JSON lines, or readable
 * lines for `pretty`, and for `auto` when `out` is a terminal.
 */
export function createLogger(
  level: string,
  format: 'auto' | 'json' | 'pretty',
  out: NodeJS.WritableStream & { isTTY?: boolean },
): PinoLogger {
  const pretty = format === 'pretty' || (format === 'auto' && out.isTTY === true);
  return pino({ level, base: { pid: process.pid } }, pretty ? readable(out) : out);
}
