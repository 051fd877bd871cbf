import client from 'prom-client';
import { registry } from '../../platform/metrics.ts';

type LagSource = () => Promise<{ events: number; seconds: number }>;
const sources = new Set<LagSource>();

/** Reports the read model's lag at scrape time; returns the function that stops reporting. */
export function reportProjectionLag(source: LagSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

async function worst(): Promise<{ events: number; seconds: number }> {
  let result = { events: 0, seconds: 0 };
  for (const source of sources) {
    const lag = await source();
    result = { events: Math.max(result.events, lag.events), seconds: Math.max(result.seconds, lag.seconds) };
  }
  return result;
}

new client.Gauge({
  name: 'aula_identity_projection_lag_events',
  help: 'Outbox events not yet applied to the identity user_directory read model',
  registers: [registry],
  async collect() {
    this.set((await worst()).events);
  },
});

new client.Gauge({
  name: 'aula_identity_projection_lag_seconds',
  help: 'Age of the oldest outbox event not yet applied to the user_directory read model',
  registers: [registry],
  async collect() {
    this.set((await worst()).seconds);
  },
});
