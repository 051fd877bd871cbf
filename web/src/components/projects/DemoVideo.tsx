import { Anchor, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api, ApiError } from '../../api/client.ts';
import type { Task } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert, Loading } from '../states.tsx';

/** The demo video in the video player (signed Range-streamed link), when the viewer may read the task. */
export function DemoVideo({ taskId, title }: { taskId: string; title: string }) {
  const { t } = useI18n();
  const task = useQuery({ queryKey: ['task', taskId], queryFn: () => api<Task>(`/api/tasks/${taskId}`) });
  if (task.isPending) return <Loading />;
  if (task.isError) {
    if (task.error instanceof ApiError && task.error.status === 404) return <Text size="sm" c="dimmed">{t('projects.demoNotYours')}</Text>;
    return <ErrorAlert error={task.error} />;
  }
  const source = task.data.links.processed ?? task.data.links.original;
  return (
    <>
      {/* biome-ignore lint/a11y/useMediaCaption: uploaded demo videos come with no caption track and Aula makes none */}
      <video src={source} controls preload="metadata" style={{ width: '100%', maxWidth: 960 }} aria-label={t('videos.player', { title })} data-testid="demo-player" />
      <Anchor component={Link} to={`/videos/${taskId}`} size="sm">{t('projects.demoOpen')}</Anchor>
    </>
  );
}
