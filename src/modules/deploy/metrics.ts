import client from 'prom-client';
import { registry } from '../../platform/metrics.ts';
import type { AppRow } from './repository.ts';
import type { Usage } from './sandbox/runner.ts';

/** Requests routed to each app, by slug and status class. */
export const appRequests = new client.Counter({
  name: 'aula_app_requests_total',
  help: 'Requests routed to a deployed app, by slug and status class (2xx, 3xx, 4xx, 5xx)',
  labelNames: ['slug', 'status'] as const,
  registers: [registry],
});

type UsageSource = () => Promise<Array<{ slug: string; usage: Usage; restarts: number }>>;
const sources = new Set<UsageSource>();

/** Registers a supervisor's usage report for the app gauges; returns a function that removes it. */
export function addAppUsageSource(source: UsageSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

/** Current usage of every app this process runs. */
async function appUsage(): Promise<Array<{ slug: string; usage: Usage; restarts: number }>> {
  return (await Promise.all([...sources].map((s) => s()))).flat();
}

const gauge = (name: string, help: string, value: (u: { usage: Usage; restarts: number }) => number) =>
  new client.Gauge({
    name,
    help,
    labelNames: ['slug'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const app of await appUsage()) this.set({ slug: app.slug }, value(app));
    },
  });

gauge('aula_app_memory_bytes', 'Memory in use by each running app (its cgroup)', (a) => a.usage.memoryBytes);
gauge('aula_app_cpu_seconds', 'CPU time used by each running app since it started', (a) => a.usage.cpuSeconds);
gauge('aula_app_restarts', 'Crash restarts of each running app in the last 10 minutes', (a) => a.restarts);

/** What the recorded per-app figures are read from (the apps' rows). */
type RecordedSource = () => Promise<AppRow[]>;
let recorded: RecordedSource | undefined;

/**
 * Per-app figures as recorded in the database, so any API process shows every app whatever
 * front served it (Aula's router or, in `aula cluster`, HAProxy) and whichever process runs it.
 * Registered once per process; the latest source wins.
 */
export function registerRecordedAppMetrics(source: RecordedSource): void {
  const first = recorded === undefined;
  recorded = source;
  if (!first) return;
  const rows = async () => (recorded ? await recorded().catch(() => []) : []);
  const fromRows = (Metric: typeof client.Counter | typeof client.Gauge, name: string, help: string, value: (app: AppRow) => number | null) =>
    new Metric({
      name,
      help,
      labelNames: ['slug'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const app of await rows()) {
          const v = value(app);
          // A counter only goes up: `inc` from zero after the reset sets it to the recorded total.
          if (v !== null) 'set' in this ? this.set({ slug: app.slug }, v) : this.inc({ slug: app.slug }, v);
        }
      },
    });
  fromRows(
    client.Counter,
    'aula_app_served_requests_total',
    'Requests each app answered, through any front (Aula or HAProxy), as recorded in its row',
    (a) => a.requests,
  );
  fromRows(
    client.Counter,
    'aula_app_served_5xx_total',
    'Answers with a 5xx status of each app, through any front, as recorded in its row',
    (a) => a.responses5xx,
  );
  fromRows(
    client.Gauge,
    'aula_app_sampled_memory_bytes',
    "Each running app's memory at its latest sample (every 2 s by the process that runs it)",
    (a) => a.memoryBytes,
  );
  fromRows(client.Gauge, 'aula_app_sampled_cpu_percent', "Each running app's CPU use at its latest sample, in percent of one core", (a) => a.cpuPercent);
}
