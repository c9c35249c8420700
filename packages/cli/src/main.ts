// The `fedsvc` command: its subcommands, flags and exit codes.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { ProviderError, ValidationError } from '@fedsvc/core';
import type { Logger } from 'pino';
import { federate } from './commands/federate.js';
import type { FedsvcConfig } from './config/config.js';
import { FIELDS, envOf, flagOf } from './config/fields.js';
import { ConfigError, type Setup, type SetupNeeds, setUp } from './config/setup.js';
import { createLogger } from './log.js';

/** The process's streams and environment; tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const RESOURCE_NOTE = `Where the federation comes from: in resource mode (members.federatedClusters: true) the member
clusters are the host cluster's FederatedClusters (their credentials in Secrets in host.namespace)
and the services its FederatedServices, whose status run writes back; otherwise the member clusters
are kubeconfig contexts (members.contexts) and the services Service manifests (services.files).`;

const collectList = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
];

/** `--config` and one flag per config field, each saying its variable. */
function withConfigOptions(command: Command): Map<string, Option> {
  command.addOption(new Option('-c, --config <file>', 'the YAML config file').env('FEDSVC_CONFIG'));
  const options = new Map<string, Option>();
  for (const field of FIELDS) {
    if (field.noFlag) continue;
    const shown =
      field.default === undefined ? '' : ` [default: ${field.kind === 'duration' ? `${field.default} ms` : String(field.default)}]`;
    const option = new Option(
      `${flagOf(field.path)} ${field.kind === 'boolean' ? '[bool]' : '<value>'}`,
      `${field.doc} (${field.path}; env ${envOf(field.path)})${shown}`,
    ).hideHelp(false);
    if (field.kind === 'list') option.argParser(collectList);
    if (field.kind === 'choice' && field.choices) option.choices(field.choices);
    command.addOption(option);
    options.set(field.path, option);
  }
  return options;
}

type Action = (setup: Setup, logger: Logger, io: CliIo, args: readonly string[]) => Promise<number>;

/** A command on the config: reads and checks it whole, then runs `action`; every failure becomes an exit code. */
function configCommand(
  name: string,
  description: string,
  needs: SetupNeeds,
  logTo: 'stdout' | 'stderr',
  action: Action,
  io: CliIo,
  exit: (code: number) => void,
): Command {
  const command = new Command(name).description(description).addHelpText('after', `\n${RESOURCE_NOTE}`);
  const options = withConfigOptions(command);
  command.action(async () => {
    const opts = command.opts<Record<string, unknown>>();
    const flags = new Map<string, string | boolean | readonly string[]>();
    for (const [path, option] of options) {
      const value = opts[option.attributeName()];
      if (value !== undefined) flags.set(path, value as string | boolean | string[]);
    }
    let logger: Logger | undefined;
    const loggerOf = (config: FedsvcConfig): Logger => {
      // A log setting the config refused is reported with the others; meanwhile the defaults log.
      logger = createLogger(config.log.level ?? 'info', config.log.format ?? 'auto', io[logTo]);
      return logger;
    };
    try {
      const setup = await setUp({ file: opts['config'] as string | undefined, env: io.env, flags }, needs, loggerOf);
      exit(await action(setup, logger!, io, command.args));
    } catch (error) {
      exit(report(error, io, logger));
    }
  });
  return command;
}

/** Says what failed: every config problem, or what the world answered. */
function report(error: unknown, io: CliIo, logger: Logger | undefined): number {
  if (error instanceof ConfigError) {
    io.stderr.write(`fedsvc: ${error.message}\n`);
  } else if (error instanceof ValidationError || error instanceof ProviderError) {
    logger?.error({ error: error.message }, 'failed');
    io.stderr.write(`fedsvc: ${error.message}\n`);
  } else {
    logger?.error({ error: error instanceof Error ? error.stack : String(error) }, 'failed');
    io.stderr.write(`fedsvc: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return 1;
}

/** The command line's program; `exit` receives the exit code of the command run. */
export function program(io: CliIo, exit: (code: number) => void): Command {
  const root = new Command('fedsvc')
    .description('Kubernetes Federated Services: shards in every member cluster, a locality-ordered DNS record set.')
    .version(VERSION)
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride();
  root.addCommand(
    configCommand(
      'run',
      'run the controller: leader election, /healthz, /readyz and /metrics, JSON logs; SIGTERM stops it gracefully',
      { clusters: true, leaderElection: true },
      'stdout',
      async (setup, logger) => (await import('./commands/run.js')).run(setup, logger),
      io,
      exit,
    ),
  );
  root.addCommand(
    configCommand(
      'plan',
      'print the change set run would write now, grouped by service; exit 0: no changes, 2: changes, 1: error',
      { clusters: true, leaderElection: false },
      'stderr',
      async (setup, logger, { stdout }) => (await import('./commands/plan.js')).plan(setup, logger, stdout),
      io,
      exit,
    ),
  );
  root.addCommand(
    configCommand(
      'records',
      "list the federation's record sets in the zone (NAME TYPE TTL DATA)",
      { clusters: false, leaderElection: false },
      'stderr',
      async (setup, _logger, { stdout }) => (await import('./commands/records.js')).records(setup, stdout),
      io,
      exit,
    ),
  );
  root.addCommand(
    configCommand(
      'check',
      'try every connection the config names (host, member clusters, DNS) and say what works',
      { clusters: true, leaderElection: false },
      'stderr',
      async (setup, logger, { stdout }) => (await import('./commands/check.js')).check(setup, logger, stdout),
      io,
      exit,
    ),
  );
  root.addCommand(
    configCommand(
      'status',
      "print a federated service's status per cluster (default: every service of the config), as kubectl describe did",
      { clusters: true, leaderElection: false },
      'stderr',
      async (setup, logger, { stdout }, args) => (await import('./commands/status.js')).status(setup, logger, args[0], stdout),
      io,
      exit,
    ).argument('[namespace/name]', 'the service'),
  );
  root.addCommand(
    new Command('discover')
      .description(
        "answer pods' DNS queries for the federation's names in this member cluster (behind its DNS); /healthz, /readyz, /metrics",
      )
      .addOption(new Option('-c, --config <file>', 'the YAML config file (federation, discovery, http, log)').env('FEDSVC_CONFIG'))
      .action(async (options: { config?: string }) => {
        try {
          const config = await (await import('./config/discovery.js')).readDiscoverConfig(options.config);
          const logger = createLogger(config.log.level, config.log.format, io.stdout);
          exit(await (await import('./commands/discover.js')).discover(config, logger));
        } catch (error) {
          exit(report(error, io, undefined));
        }
      }),
  );
  root.addCommand(
    new Command('federate')
      .description('turn Service manifests into FederatedService manifests, for `kubectl apply -f -`')
      .requiredOption('-f, --filename <file>', 'the Service manifest file (- for standard input)')
      .option('--cluster <name>', 'place it only in these member clusters (repeatable)', collectList)
      .option('--ttl <seconds>', "TTL of the service's records (default: the federation's)")
      .option('-n, --namespace <namespace>', 'namespace of manifests that name none', 'default')
      .action(async (options: { filename: string; cluster?: string[]; ttl?: string; namespace: string }) => {
        try {
          const text = options.filename === '-' ? await readStdin() : await readFile(options.filename, 'utf8');
          const ttl = options.ttl === undefined ? undefined : Number(options.ttl);
          if (ttl !== undefined && !Number.isSafeInteger(ttl))
            throw new ValidationError('--ttl', options.ttl, 'must be a whole number of seconds');
          io.stdout.write(federate(text, options.filename, { clusters: options.cluster, ttl, namespace: options.namespace }));
          exit(0);
        } catch (error) {
          exit(report(error, io, undefined));
        }
      }),
  );
  return root;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs the command line `argv` (without node and the script); resolves with the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  let code = 0;
  try {
    await program(io, (c) => {
      code = c;
    }).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return code;
}
