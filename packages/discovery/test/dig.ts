// `dig`, run as a client would, with its output parsed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Dig {
  readonly status: string;
  readonly flags: readonly string[];
  readonly question: string;
  readonly answers: readonly { name: string; ttl: number; type: string; data: string }[];
  readonly authority: readonly string[];
  /** The whole output, for failure messages and the OPT pseudo-section. */
  readonly text: string;
}

/** `dig @host -p port name type flags…`: header, question, answer and authority sections. */
export async function dig(server: { host: string; port: number }, name: string, type = 'A', ...flags: string[]): Promise<Dig> {
  const { stdout } = await run(
    'dig',
    [
      `@${server.host}`,
      '-p',
      String(server.port),
      '+time=2',
      '+tries=1',
      '+noall',
      '+comments',
      '+question',
      '+answer',
      '+authority',
      ...flags,
      name,
      type,
    ],
    { timeout: 15_000 },
  );
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? `no answer: ${stdout}`;
  const sections = stdout.split(/^;; (?=\w+ SECTION:)/m);
  const lines = (section: string) =>
    (sections.find((s) => s.startsWith(section)) ?? '')
      .split('\n')
      .slice(1)
      .filter((line) => line !== '' && !line.startsWith(';;'));
  const records = (section: string) =>
    lines(section)
      .filter((line) => !line.startsWith(';'))
      .map((line) => line.split(/\s+/));
  return {
    status,
    flags: (/flags: ([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/),
    question: (lines('QUESTION')[0] ?? '').replace(/^;/, '').split(/\s+/)[0] ?? '',
    answers: records('ANSWER').map(([n = '', ttl = '', , t = '', ...data]) => ({
      name: n,
      ttl: Number(ttl),
      type: t,
      data: data.join(' '),
    })),
    authority: records('AUTHORITY').map(([n = '', , , t = '']) => `${n} ${t}`),
    text: stdout,
  };
}
