import { api } from './client.ts';

/** A deployment's state, from queued to a finished one. */
export type DeploymentState = 'queued' | 'fetching' | 'building' | 'starting' | 'checking' | 'live' | 'failed' | 'cancelled' | 'retired';

/** One deployment of a project. */
export interface Deployment {
  id: string;
  projectId: string;
  ref: string | null;
  commitSha: string | null;
  kind: string | null;
  state: DeploymentState;
  progress: number;
  reason: string | null;
  rollbackOf: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A project's running app. */
export interface DeployedApp {
  url: string;
  status: 'running' | 'starting' | 'stopped' | 'crashed';
  desired: string;
  restarts: number;
  reason: string | null;
  liveDeploymentId: string | null;
  usage: { memoryBytes: number; cpuPercent: number; sampledAt: string } | null;
  requests: number;
  responses5xx: number;
}

/** The app, its deployments (newest first) and the ids of the releases a rollback may go back to. */
export interface DeploymentList {
  app: DeployedApp | null;
  data: Deployment[];
  kept: string[];
}

/** A stored log line: build output, the app's stdout/stderr, or Aula's own (system). */
export interface LogLine {
  seq: number;
  stream: 'build' | 'stdout' | 'stderr' | 'system';
  line: string;
  at: string;
}

/** Whether a deployment is still on its way. */
export const running = (d: Deployment): boolean => !['live', 'failed', 'cancelled', 'retired'].includes(d.state);

/** The query key of a project's deployments. */
export const deploymentsKey = (projectId: string) => ['deployments', projectId] as const;

/** Fetches a project's app and deployments. */
export const fetchDeployments = (projectId: string): Promise<DeploymentList> =>
  api<DeploymentList>(`/api/projects/${encodeURIComponent(projectId)}/deployments`);

/** Fetches a deployment's log lines after `since`, with the deployment as it is now. */
export const fetchLogs = (deploymentId: string, since: number): Promise<{ deployment: Deployment; data: LogLine[] }> =>
  api(`/api/deployments/${encodeURIComponent(deploymentId)}/logs?since=${since}`);
