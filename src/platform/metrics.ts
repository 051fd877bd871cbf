import client from 'prom-client';

/** The process-wide Prometheus registry that `/metrics` exposes. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'aula_' });

/** HTTP request durations by route and status. */
export const httpDuration = new client.Histogram({
  name: 'aula_http_request_duration_seconds',
  help: 'HTTP request duration in seconds, by method, route and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Job processing durations by queue and outcome. */
export const jobDuration = new client.Histogram({
  name: 'aula_job_duration_seconds',
  help: 'Job processing duration in seconds, by queue and outcome',
  labelNames: ['queue', 'outcome'] as const,
  buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [registry],
});

type CountSource = () => Promise<Array<{ queue: string; state: string; count: number }>>;
const countSources = new Set<CountSource>();

/** Registers a callback that reports job counts per queue and state at scrape time. */
export function addQueueCountSource(source: CountSource): () => void {
  countSources.add(source);
  return () => countSources.delete(source);
}

new client.Gauge({
  name: 'aula_queue_jobs',
  help: 'Jobs per queue and state (waiting, active, failed, delayed, completed)',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const source of countSources) {
      try {
        for (const row of await source()) this.set({ queue: row.queue, state: row.state }, row.count);
      } catch {
        // a backend that does not answer reports nothing; /ready says why
      }
    }
  },
});
