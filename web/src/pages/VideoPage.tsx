import { Anchor, Button, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useTaskEvents } from '../api/task-events.ts';
import type { Task } from '../api/types.ts';
import { ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';
import { StatusBadge } from './VideosPage.tsx';

/** One video: player (processed or original, streamed with Range), facts, downloads. */
export function VideoPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t, number } = useI18n();
  useTaskEvents();
  const task = useQuery({ queryKey: ['task', id], queryFn: () => api<Task>(`/api/tasks/${id}`) });
  const [which, setWhich] = useState<'processed' | 'original'>('processed');
  if (task.isPending) return <Loading />;
  if (task.isError)
    return (
      <Stack>
        <ErrorAlert error={task.error} />
        <Anchor component={Link} to="/videos">
          {t('videos.back')}
        </Anchor>
      </Stack>
    );
  const v = task.data;
  const source = which === 'processed' && v.links.processed ? v.links.processed : v.links.original;
  const facts = which === 'processed' ? v.output : v.input;

  return (
    <Stack>
      <Anchor component={Link} to="/videos">
        {t('videos.back')}
      </Anchor>
      <Group justify="space-between">
        <Title order={2}>{v.title}</Title>
        <StatusBadge task={v} />
      </Group>
      {v.links.processed && (
        <SegmentedControl
          aria-label={t('videos.which')}
          value={which}
          onChange={(value) => setWhich(value as typeof which)}
          data={[
            { value: 'processed', label: t('videos.processed') },
            { value: 'original', label: t('videos.original') },
          ]}
        />
      )}
      {v.links.processed || which === 'original' ? (
        // biome-ignore lint/a11y/useMediaCaption: uploaded demo videos come with no caption track and Aula makes none
        <video
          key={source}
          src={source}
          controls
          preload="metadata"
          style={{ width: '100%', maxWidth: 960 }}
          aria-label={t('videos.player', { title: v.title })}
          data-testid="player"
        />
      ) : (
        <Text>{t('videos.notReady')}</Text>
      )}
      {facts && (
        <Table maw={480} aria-label={t('videos.facts')}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th scope="row">{t('videos.duration')}</Table.Th>
              <Table.Td>{number(facts.durationSec, 1)} s</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('videos.size')}</Table.Th>
              <Table.Td>
                {facts.width} × {facts.height}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('videos.bytes')}</Table.Th>
              <Table.Td>{number(facts.sizeBytes / 1024 / 1024, 1)} MB</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
      <Group>
        {v.links.processed && (
          <Button component="a" href={v.links.processed} download variant="light">
            {t('videos.downloadProcessed')}
          </Button>
        )}
        <Button component="a" href={v.links.original} download variant="default">
          {t('videos.downloadOriginal')}
        </Button>
      </Group>
    </Stack>
  );
}
