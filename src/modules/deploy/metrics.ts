import client from 'prom-client';
import { registry } from '../../platform/metrics.ts';
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
