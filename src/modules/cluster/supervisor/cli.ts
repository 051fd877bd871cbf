import { parseArgs } from 'node:util';
import { loadJwtSecret } from '../../../platform/auth/secret.ts';
import { ConfigError, loadConfig, type Config } from '../../../platform/config.ts';
import { createLogger } from '../../../platform/logger.ts';
import type { AulaModule } from '../../../platform/module.ts';
import { startRuntime } from '../../../platform/runtime.ts';
import { findHaproxy, HAPROXY_MISSING } from './haproxy.ts';
import { startCluster, type Cluster } from './supervisor.ts';

/**
 * `aula cluster [--api N] [--workers M]`: starts (or connects to) the database,
 * migrates once, then runs HAProxy, N API processes and M workers until SIGTERM;
 * SIGHUP replaces the API processes one at a time.
 */
export async function runClusterCommand(args: string[], installed: readonly AulaModule[]): Promise<void> {
  let config: Config;
  try {
    const { values } = parseArgs({ args, options: { api: { type: 'string' }, workers: { type: 'string' } }, strict: true });
    config = loadConfig({
      ...process.env,
      ...(values.api !== undefined ? { AULA_CLUSTER_API: values.api } : {}),
      ...(values.workers !== undefined ? { AULA_CLUSTER_WORKERS: values.workers } : {}),
    });
  } catch (error) {
    // --api and --workers are the variables AULA_CLUSTER_API and AULA_CLUSTER_WORKERS, named so in errors.
    const usage = error instanceof ConfigError ? '' : 'usage: aula cluster [--api N] [--workers M]\n';
    process.stderr.write(`aula: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
  const haproxy = findHaproxy();
  if (!haproxy) {
    process.stderr.write(`aula: ${HAPROXY_MISSING}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel, { role: 'cluster' });
  // The supervisor owns the database: with no DATABASE_URL it runs the embedded
  // PostgreSQL itself and hands its URL to every child, which then share it.
  const runtime = await startRuntime(config, { role: 'migrate', installed, modules: [], http: false, queues: [] }, log);
  let cluster: Cluster;
  try {
    loadJwtSecret(config.jwtSecret, config.dataDir); // generated once here, so every child reads the same one
    const queues = installed.flatMap((m) => Object.keys(m.queues ?? {}));
    cluster = await startCluster(config, runtime, haproxy, log, queues);
  } catch (error) {
    log.fatal({ err: error instanceof Error ? error.message : String(error) }, 'cluster could not start');
    await runtime.stop();
    process.stderr.write(`aula: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const running = cluster;
  let stopping = false;
  process.on('SIGHUP', () => {
    if (!stopping) void running.rollingRestart();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void running
      .stop()
      .then(() => runtime.stop())
      .then(() => {
        log.info('stopped');
        process.exit(0);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
