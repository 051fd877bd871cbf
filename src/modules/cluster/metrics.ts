import client from 'prom-client';
import { registry } from '../../platform/metrics.ts';
import { readClusterState } from './state.ts';

/** Adds the monitor's figures (read from the supervisor's state file at scrape time) to `/metrics`, once per process. */
export function registerClusterMetrics(dataDir: string): void {
  if (registry.getSingleMetric('aula_cluster_detections_total')) return;
  const instances = () => readClusterState(dataDir)?.instances ?? [];
  const labelNames = ['instance', 'role'] as const;
  new client.Counter({
    name: 'aula_cluster_detections_total',
    help: 'Times the cluster monitor found an instance dead or hung',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const i of instances()) this.inc({ instance: i.name, role: i.role }, i.detections);
    },
  });
  new client.Counter({
    name: 'aula_cluster_restarts_total',
    help: 'Instances the cluster supervisor started in place of another (monitor replacements and rolling restarts)',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const i of instances()) this.inc({ instance: i.name, role: i.role }, i.restarts);
    },
  });
  new client.Gauge({
    name: 'aula_cluster_last_detection_seconds',
    help: 'For the latest detection, seconds from the last answered ping to the decision to replace',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const i of instances()) if (i.lastDetectionMs !== undefined) this.set({ instance: i.name, role: i.role }, i.lastDetectionMs / 1000);
    },
  });
  new client.Gauge({
    name: 'aula_cluster_instance_ready',
    help: '1 when the instance answers its pings (API) or runs (worker), else 0',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const i of instances()) this.set({ instance: i.name, role: i.role }, i.state === 'ready' ? 1 : 0);
    },
  });
}
