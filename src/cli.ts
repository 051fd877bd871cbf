import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './platform/config.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { isQueueName, QUEUE_NAMES, type QueueName } from './platform/queue/definitions.ts';
import { ALL_MODULES, startRuntime, type Runtime, type RuntimeOptions } from './platform/runtime.ts';

const USAGE = `usage:
  aula start [--modules a,b] [--no-workers]   API and workers (all modules by default)
  aula worker [--queues q1,q2]                  workers only (all queues by default)
  aula migrate                                  apply migrations, then exit
modules: ${ALL_MODULES.map((m) => m.name).join(', ')}
queues:  ${QUEUE_NAMES.join(', ')}`;

class UsageError extends Error {}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
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
  const queueNames = list(values.queues) ?? QUEUE_NAMES;
  const unknownQueue = queueNames.find((name) => !isQueueName(name));
  if (unknownQueue) throw new UsageError(`unknown queue: ${unknownQueue}`);
  const queues = queueNames as QueueName[];
  switch (command) {
    case 'start': {
      const served = new Set(modules.flatMap((m) => Object.keys(m.handlers ?? {})));
      return { role: 'start', modules, http: true, queues: values['no-workers'] ? [] : queues.filter((q) => served.has(q)) };
    }
    case 'worker':
      return { role: 'worker', modules: [], http: false, queues };
    case 'migrate':
      return { role: 'migrate', modules: [], http: false, queues: [] };
    default:
      throw new UsageError(command ? `unknown command: ${command}` : 'no command given');
  }
}

function handleSignals(runtime: Runtime, log: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means "now"; a repeated SIGTERM (from a wrapper) changes nothing.
      if (signal !== 'SIGINT') return;
      log.warn({ signal }, 'second interrupt: exiting without waiting for jobs');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    void runtime.stop().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function main(): Promise<void> {
  let plan: RuntimeOptions;
  let config;
  try {
    plan = planFor(process.argv.slice(2));
    config = loadConfig();
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`aula: ${(error as Error).message}\n${error instanceof ConfigError ? '' : `${USAGE}\n`}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, { role: plan.role });
  try {
    const runtime = await startRuntime(config, plan, log);
    if (plan.role === 'migrate') {
      await runtime.stop();
      log.info('migrations applied');
      return;
    }
    handleSignals(runtime, log);
    log.info({ port: plan.http ? config.port : undefined, queues: plan.queues }, 'Aula is ready');
  } catch (error) {
    log.fatal({ err: error instanceof Error ? error.message : String(error) }, 'could not start');
    process.exitCode = 1;
  }
}

await main();
