import { useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useEffect } from 'react';
import { getAccessToken } from './client.ts';
import type { Task, TaskPage } from './types.ts';

interface TaskChange {
  id: string;
  status: Task['status'];
  progress: number;
  error: string | null;
}

/** Applies the live task feed (SSE) to the cached task lists; a finished task is fetched again for its links. */
export function useTaskEvents(): void {
  const client = useQueryClient();
  useEffect(() => {
    let source: EventSource | null = null;
    let retry: number | undefined;
    const open = () => {
      const token = getAccessToken();
      if (!token) return;
      source = new EventSource(`/api/tasks/events?access_token=${encodeURIComponent(token)}`);
      source.addEventListener('task', (event) => {
        const change = JSON.parse((event as MessageEvent<string>).data) as TaskChange;
        let known = false;
        client.setQueriesData<InfiniteData<TaskPage>>(
          { queryKey: ['tasks'] },
          (data) =>
            data && {
              ...data,
              pages: data.pages.map((page) => ({
                ...page,
                data: page.data.map((task) => {
                  if (task.id !== change.id) return task;
                  known = true;
                  return { ...task, status: change.status, progress: change.progress, error: change.error };
                }),
              })),
            },
        );
        // cancelRefetch: false keeps a "Show more" in flight; cancelling it would refetch only the pages already shown.
        if (!known || change.status === 'processed') void client.invalidateQueries({ queryKey: ['tasks'] }, { cancelRefetch: false });
        void client.invalidateQueries({ queryKey: ['task', change.id] });
      });
      // The token in the URL may have expired: reopen with the current one.
      source.onerror = () => {
        source?.close();
        retry = window.setTimeout(open, 3000);
      };
    };
    open();
    return () => {
      source?.close();
      window.clearTimeout(retry);
    };
  }, [client]);
}
