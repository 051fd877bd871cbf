import { Anchor, AspectRatio, Badge, Button, Card, Group, Image, Modal, Progress, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { useTaskEvents } from '../api/task-events.ts';
import type { Task, TaskPage } from '../api/types.ts';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { Uploader } from '../components/Uploader.tsx';
import { useI18n } from '../i18n/index.tsx';

const PAGE_SIZE = 12;
const STATUS_COLOR: Record<Task['status'], string> = { queued: 'gray', processing: 'blue', processed: 'green', failed: 'red', cancelled: 'orange' };

/** Status badge of a task, in words. */
export function StatusBadge({ task }: { task: Task }) {
  const { t } = useI18n();
  return (
    <Badge color={STATUS_COLOR[task.status]} variant="light" c="dark">
      {t(`status.${task.status}`)}
    </Badge>
  );
}

function ImportForm() {
  const { t } = useI18n();
  const client = useQueryClient();
  const importUrl = useMutation({
    mutationFn: (body: { url: string; title?: string }) => api<Task>('/api/tasks', { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tasks'] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const title = String(form.get('title') ?? '').trim();
    importUrl.mutate({ url: String(form.get('url')), ...(title ? { title } : {}) }, { onSuccess: () => (event.target as HTMLFormElement).reset() });
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="xs">
        <Group align="end" wrap="wrap">
          <TextInput name="url" type="url" label={t('videos.importUrl')} placeholder="https://…" required style={{ flex: 2, minWidth: 220 }} />
          <TextInput name="title" label={t('videos.title')} style={{ flex: 1, minWidth: 160 }} />
          <Button type="submit" loading={importUrl.isPending}>
            {t('videos.import')}
          </Button>
        </Group>
        <ErrorAlert error={importUrl.error} />
      </Stack>
    </form>
  );
}

function TaskCard({ task, onDelete }: { task: Task; onDelete: (task: Task) => void }) {
  const { t, dateTime } = useI18n();
  const running = task.status === 'queued' || task.status === 'processing';
  return (
    <Card withBorder padding="sm" data-testid="task-card">
      <Card.Section>
        <AspectRatio ratio={16 / 9} bg="gray.2">
          {task.links.thumbnail ? (
            <Image src={task.links.thumbnail} alt={t('videos.thumbnailOf', { title: task.title })} />
          ) : (
            <Text ta="center" c="dimmed" size="sm">
              {t(`status.${task.status}`)}
            </Text>
          )}
        </AspectRatio>
      </Card.Section>
      <Stack gap={6} mt="xs">
        <Group justify="space-between" wrap="nowrap">
          <Anchor component={Link} to={`/videos/${task.id}`} fw={600} truncate>
            {task.title}
          </Anchor>
          <StatusBadge task={task} />
        </Group>
        <Text size="xs" c="dimmed">
          {dateTime(task.createdAt)}
        </Text>
        {task.status === 'processing' && <Progress value={task.progress} aria-label={t('videos.processingProgress', { title: task.title })} />}
        {task.error && (
          <Text size="sm" c="red.9">
            {task.error}
          </Text>
        )}
        <Group gap="xs">
          {task.links.processed && (
            <Button component="a" href={task.links.processed} download size="xs" variant="light">
              {t('videos.download')}
            </Button>
          )}
          <Button
            size="xs"
            variant="light"
            color="red"
            onClick={() => onDelete(task)}
            aria-label={`${t(running ? 'videos.cancel' : 'videos.delete')}: ${task.title}`}
          >
            {t(running ? 'videos.cancel' : 'videos.delete')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** My videos: upload, import, live status, thumbnails, download, cancel/delete, paging. */
export function VideosPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  useTaskEvents();
  const [doomed, setDoomed] = useState<Task | null>(null);
  const tasks = useInfiniteQuery({
    queryKey: ['tasks'],
    queryFn: ({ pageParam }) => api<TaskPage>(`/api/tasks?max=${PAGE_SIZE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const remove = useMutation({
    mutationFn: (task: Task) => api(`/api/tasks/${task.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setDoomed(null);
      return client.invalidateQueries({ queryKey: ['tasks'] });
    },
  });
  const all = tasks.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Stack>
      <Title order={2}>{t('videos.title.page')}</Title>
      <Uploader />
      <ImportForm />
      <Title order={3}>{t('videos.list')}</Title>
      {tasks.isPending ? (
        <Loading />
      ) : tasks.isError ? (
        <ErrorAlert error={tasks.error} />
      ) : all.length === 0 ? (
        <Empty>{t('videos.empty')}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 4 }} data-testid="task-grid">
          {all.map((task) => (
            <TaskCard key={task.id} task={task} onDelete={setDoomed} />
          ))}
        </SimpleGrid>
      )}
      {tasks.hasNextPage && (
        <Button variant="default" onClick={() => void tasks.fetchNextPage()} loading={tasks.isFetchingNextPage}>
          {t('videos.more')}
        </Button>
      )}
      <Modal opened={doomed !== null} onClose={() => setDoomed(null)} title={t('videos.confirmTitle')}>
        <Stack>
          <Text>{t('videos.confirm', { title: doomed?.title ?? '' })}</Text>
          <ErrorAlert error={remove.error} />
          <Group justify="end">
            <Button variant="default" onClick={() => setDoomed(null)}>
              {t('common.keep')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => doomed && remove.mutate(doomed)}>
              {t('videos.confirmDelete')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
