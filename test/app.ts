import fs from 'node:fs';
import type { DestinationStream } from 'pino';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ALL_MODULES } from '../src/app.ts';
import { startRuntime, type Runtime } from '../src/platform/runtime.ts';
import type { QueueName } from '../src/platform/queue/definitions.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/** An Aula runtime on a fresh database, listening on a real port. */
export interface TestApp {
  baseUrl: string;
  config: Config;
  runtime: Runtime;
  db: TestDatabase;
  stop(): Promise<void>;
}

/** Starts the whole app in-process on a new database; workers only for the queues given. */
export async function startTestApp(opts: { queues?: QueueName[]; env?: Record<string, string>; logDestination?: DestinationStream } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-test-data-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AULA_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    // Tests sign up and log in far more than a person would; the rate-limit test sets its own.
    AULA_SIGNUP_RATE_LIMIT: '100000',
    AULA_LOGIN_RATE_LIMIT: '100000',
    ...opts.env,
  });
  const runtime = await startRuntime(
    config,
    { role: 'start', installed: ALL_MODULES, modules: ALL_MODULES, http: true, queues: opts.queues ?? [] },
    createLogger(config.logLevel, {}, opts.logDestination),
  );
  const address = runtime.app!.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    runtime,
    db,
    async stop() {
      await runtime.stop();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
