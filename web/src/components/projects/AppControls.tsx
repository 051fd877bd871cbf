import { Anchor, Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { deploymentsKey, type DeployedApp } from '../../api/deploy.ts';
import { onTeam, type Project } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { ErrorAlert } from '../states.tsx';

const STATUS_COLOR: Record<string, string> = { running: 'green', starting: 'blue', stopped: 'gray', crashed: 'red' };

/** The running app: its state, a link to it at /apps/<slug>/, and stop / start / restart (the team; staff may stop). */
export function AppControls({ project, app }: { project: Project; app: DeployedApp | null }) {
  const { t, number } = useI18n();
  const client = useQueryClient();
  const team = onTeam(project.viewer);
  const control = useMutation({
    mutationFn: (action: 'stop' | 'start' | 'restart') => api<DeployedApp>(`/api/projects/${project.id}/app/${action}`, { method: 'POST' }),
    onSettled: () => client.invalidateQueries({ queryKey: deploymentsKey(project.id) }),
  });
  if (!app?.liveDeploymentId) return <Text c="dimmed">{t(team ? 'deploy.noAppTeam' : 'deploy.noApp')}</Text>;
  const stopped = app.status === 'stopped' || app.status === 'crashed';
  const action = (name: 'stop' | 'start' | 'restart', label: MessageKey, color?: string) => (
    <Button
      size="sm"
      variant="light"
      color={color}
      onClick={() => control.mutate(name)}
      loading={control.isPending && control.variables === name}
      disabled={control.isPending}
    >
      {t(label)}
    </Button>
  );
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Text fw={500}>{t('deploy.app')}</Text>
            <Badge color={STATUS_COLOR[app.status] ?? 'blue'} variant="light" c="dark" tt="none" data-testid="app-status">
              {t(`appStatus.${app.status}` as MessageKey)}
            </Badge>
          </Group>
          <Anchor href={app.url} target="_blank" rel="noreferrer" data-testid="app-link">
            {t('deploy.open', { url: app.url })}
          </Anchor>
        </Group>
        {app.reason && <Text size="sm">{t('deploy.appReason', { reason: app.reason })}</Text>}
        <Text size="sm" c="dimmed">
          {t('deploy.appStats', { restarts: app.restarts, requests: number(app.requests, 0), errors: number(app.responses5xx, 0) })}
          {app.usage && ` · ${t('deploy.appUsage', { mb: number(app.usage.memoryBytes / 1048576, 1), cpu: number(app.usage.cpuPercent, 1) })}`}
        </Text>
        <Group gap="xs">
          {!stopped && action('stop', 'deploy.stop', 'red')}
          {team && stopped && action('start', 'deploy.start')}
          {team && !stopped && action('restart', 'deploy.restart')}
        </Group>
        <ErrorAlert error={control.error} />
      </Stack>
    </Paper>
  );
}
