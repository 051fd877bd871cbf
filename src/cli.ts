import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { createLogger, flushLogs, type Logger } from './platform/logger.ts';
import { ALL_MODULES } from './app.ts';
import type { AulaModule } from './platform/module.ts';
import { QueueCatalog } from './platform/queue/catalog.ts';
import { startRuntime, type Runtime, type RuntimeOptions } from './platform/runtime.ts';
import { installSafetyNet } from './platform/safety-net.ts';

const CATALOG = new QueueCatalog(ALL_MODULES);

const USAGE = `usage:
  aula start [--modules a,b] [--no-workers]   API and workers (all modules by default)
  aula worker [--queues q1,q2]                  workers only (all queues by default)
  aula migrate                                  apply migrations, then exit
  aula cluster [--api N] [--workers M]          HAProxy on PORT, N API processes, M workers, a monitor
  aula admin create --email E --password P      create the first admin (or make E an admin)
  aula <module> <command> [--flag value…]       a module's operator command, e.g.
                                                aula identity rebuild-read-model
modules: ${ALL_MODULES.map((m) => m.name).join(', ')}
queues:  ${CATALOG.names().join(', ')}`;

class UsageError extends Error {}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** A module's operator command and its `--flag value` pairs. */
interface CommandPlan {
  module: AulaModule;
  command: string;
  flags: Record<string, string>;
}

/** Reads `--name value` and `--name=value` pairs (module commands declare no option table). */
function flagPairs(args: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(args[i]!);
    if (!match) throw new UsageError(`unexpected argument: ${args[i]}`);
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${match[1]} needs a value`);
    flags[match[1]!] = value;
  }
  return flags;
}

function commandFor(argv: string[]): CommandPlan | undefined {
  const [first, second, ...rest] = argv;
  const [moduleName, command] = first === 'admin' && second === 'create' ? ['identity', 'create-admin'] : [first, second];
  const module = ALL_MODULES.find((m) => m.name === moduleName);
  if (!module || !command) return undefined;
  if (!module.commands?.[command]) {
    throw new UsageError(`module ${module.name} has no command ${command}; it has: ${Object.keys(module.commands ?? {}).join(', ') || 'none'}`);
  }
  return { module, command, flags: flagPairs(rest) };
}

function planFor(argv: string[]): RuntimeOptions {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      modules: { type: 'string' },
      queues: { type: 'string' },
      'no-workers': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const moduleNames = list(values.modules);
  const unknownModule = moduleNames?.find((name) => !ALL_MODULES.some((m) => m.name === name));
  if (unknownModule) throw new UsageError(`unknown module: ${unknownModule}`);
  const modules = moduleNames ? ALL_MODULES.filter((m) => moduleNames.includes(m.name)) : ALL_MODULES;
  const queueNames = list(values.queues) ?? CATALOG.names();
  const unknownQueue = queueNames.find((name) => !CATALOG.has(name));
  if (unknownQueue) throw new UsageError(`unknown queue: ${unknownQueue}`);
  const queues = queueNames.filter((name) => CATALOG.has(name));
  const installed = ALL_MODULES;
  switch (command) {
    case 'start': {
      const served = new Set(modules.flatMap((m) => Object.keys(m.queues ?? {})));
      return { role: 'start', installed, modules, http: true, queues: values['no-workers'] ? [] : queues.filter((q) => served.has(q)) };
    }
    case 'worker':
      return { role: 'worker', installed, modules: [], http: false, queues };
    case 'migrate':
      return { role: 'migrate', installed, modules: [], http: false, queues: [] };
    default:
      throw new UsageError(command ? `unknown command: ${command}` : 'no command given');
  }
}

// How long buffered log lines may take to reach stdout before the process exits anyway.
const LOG_FLUSH_MS = 2000;

function handleSignals(runtime: Runtime, log: Logger, shutdownTimeoutMs: number): void {
  let stopping = false;
  const shutdown = (exitCode: number) => {
    stopping = true;
    // Whatever hangs (a stop step, stdout), the process ends in bounded time.
    const watchdog = setTimeout(() => {
      log.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, shutdownTimeoutMs + 30_000);
    watchdog.unref();
    void runtime.stop().then(async () => {
      log.info('stopped');
      await flushLogs(LOG_FLUSH_MS);
      process.exit(exitCode);
    });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means "now"; a repeated SIGTERM (from a wrapper) changes nothing.
      if (signal !== 'SIGINT') return;
      log.warn({ signal }, 'second interrupt: exiting without waiting for jobs');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down');
    shutdown(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A part the process cannot live without is gone: stop, and exit non-zero so a supervisor restarts Aula.
  void runtime.fatal.then((error) => {
    if (stopping) return;
    log.fatal({ err: error.message }, 'shutting down: a required part of the process failed');
    shutdown(1);
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === 'cluster') {
    const { runClusterCommand } = await import('./modules/cluster/supervisor/cli.ts');
    return runClusterCommand(process.argv.slice(3), ALL_MODULES);
  }
  let plan: RuntimeOptions;
  let config: Config;
  let moduleCommand: CommandPlan | undefined;
  try {
    moduleCommand = commandFor(process.argv.slice(2));
    plan = moduleCommand ? { role: 'command', installed: ALL_MODULES, modules: [], http: false, queues: [] } : planFor(process.argv.slice(2));
    config = loadConfig();
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`aula: ${(error as Error).message}\n${error instanceof ConfigError ? '' : `${USAGE}\n`}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, { role: plan.role });
  if (plan.role === 'start' || plan.role === 'worker') installSafetyNet(log); // before workers take their first job
  try {
    const runtime = await startRuntime(config, plan, log);
    if (moduleCommand) {
      try {
        process.stdout.write(`${await moduleCommand.module.commands![moduleCommand.command]!(runtime.ctx!, moduleCommand.flags)}\n`);
      } finally {
        await runtime.stop();
      }
      return;
    }
    if (plan.role === 'migrate') {
      await runtime.stop();
      log.info('migrations applied');
      return;
    }
    handleSignals(runtime, log, config.shutdownTimeoutMs);
    log.info({ port: plan.http ? config.port : undefined, queues: plan.queues }, 'Aula is ready');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.fatal({ err: message }, moduleCommand ? 'command failed' : 'could not start');
    process.stderr.write(`aula: ${message}\n`);
    process.exitCode = 1;
  }
}

await main();
