import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { deploymentsKey, fetchLogs, running, type Deployment, type LogLine } from './deploy.ts';

const RUNNING_MS = 1000;
const FINISHED_MS = 4000;
const KEEP_LINES = 2000;

/** A deployment's log and state, followed by polling `…/logs?since=` (fast while it runs, slower after, for the app's own output). */
export function useDeploymentLog(deploymentId: string | null): { deployment: Deployment | null; lines: LogLine[]; error: unknown } {
  const client = useQueryClient();
  const [deployment, setDeployment] = useState<Deployment | null>(null);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setDeployment(null);
    setLines([]);
    setError(null);
    if (!deploymentId) return;
    let since = 0;
    let state = '';
    let timer: number | undefined;
    let stopped = false;
    const tick = async () => {
      let next = FINISHED_MS;
      try {
        const page = await fetchLogs(deploymentId, since);
        if (stopped) return;
        setError(null);
        if (page.data.length > 0) {
          since = page.data.at(-1)!.seq;
          setLines((old) => [...old, ...page.data].slice(-KEEP_LINES));
        }
        setDeployment(page.deployment);
        const now = `${page.deployment.state}:${page.deployment.progress}`;
        if (now !== state && state !== '') void client.invalidateQueries({ queryKey: deploymentsKey(page.deployment.projectId) });
        state = now;
        if (running(page.deployment)) next = RUNNING_MS;
      } catch (e) {
        if (stopped) return;
        setError(e);
      }
      timer = window.setTimeout(tick, next);
    };
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [deploymentId, client]);
  return { deployment, lines, error };
}
