import { Button, Group, Progress, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { deploymentsKey, running, type Deployment, type DeploymentList } from '../../api/deploy.ts';
import { onTeam, type Project } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Empty, ErrorAlert } from '../states.tsx';
import { StateBadge } from './DeploymentProgress.tsx';
import { ScrollTable } from '../ScrollTable.tsx';

/** The project's deployments: state, progress, commit, times and reason; Show log on each, Cancel on a running one, Rollback on a kept release. */
export function ReleasesTable({
  project,
  list,
  shown,
  onShow,
}: {
  project: Project;
  list: DeploymentList;
  shown: string | null;
  onShow(deploymentId: string): void;
}) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const team = onTeam(project.viewer);
  const done = () => client.invalidateQueries({ queryKey: deploymentsKey(project.id) });
  const cancel = useMutation({ mutationFn: (id: string) => api<Deployment>(`/api/deployments/${id}/cancel`, { method: 'POST' }), onSettled: done });
  const rollback = useMutation({
    mutationFn: (id: string) => api<Deployment>(`/api/projects/${project.id}/rollback`, { method: 'POST', body: { deploymentId: id } }),
    onSuccess: (d) => onShow(d.id),
    onSettled: done,
  });
  if (list.data.length === 0) return <Empty>{t(team ? 'deploy.emptyTeam' : 'deploy.empty')}</Empty>;
  const short = (d: Deployment) => d.id.slice(0, 8);
  return (
    <>
      <ErrorAlert error={cancel.error ?? rollback.error} />
      <ScrollTable label={t('deploy.releases')} minWidth={960}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('deploy.created')}</Table.Th>
            <Table.Th>{t('deploy.state')}</Table.Th>
            <Table.Th>{t('deploy.progress')}</Table.Th>
            <Table.Th>{t('deploy.commit')}</Table.Th>
            <Table.Th>{t('deploy.finished')}</Table.Th>
            <Table.Th>{t('deploy.reason')}</Table.Th>
            <Table.Th>{t('team.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data.map((d) => (
            <Table.Tr key={d.id} data-testid="release" aria-current={d.id === shown ? 'true' : undefined}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{dateTime(d.createdAt)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <StateBadge state={d.state} />
              </Table.Td>
              <Table.Td miw={80}>
                <Progress
                  value={d.progress}
                  size="sm"
                  color={d.state === 'failed' ? 'red' : undefined}
                  aria-label={t('deploy.progressOfRelease', { id: short(d), progress: d.progress })}
                />
              </Table.Td>
              <Table.Td>{d.commitSha ? <code title={d.commitSha}>{d.commitSha.slice(0, 7)}</code> : '—'}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{d.finishedAt ? dateTime(d.finishedAt) : '—'}</Table.Td>
              <Table.Td miw={240}>
                <Text size="sm" maw={320} style={{ overflowWrap: 'anywhere' }}>
                  {d.rollbackOf ? t('deploy.rollbackOf', { id: d.rollbackOf.slice(0, 8) }) : ''}
                  {d.rollbackOf && d.reason ? ' · ' : ''}
                  {d.reason ?? (d.rollbackOf ? '' : '—')}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => onShow(d.id)}
                    aria-pressed={d.id === shown}
                    aria-label={t('deploy.showLogOf', { date: dateTime(d.createdAt) })}
                  >
                    {t('deploy.showLog')}
                  </Button>
                  {running(d) && (
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      onClick={() => cancel.mutate(d.id)}
                      loading={cancel.isPending && cancel.variables === d.id}
                      aria-label={t('deploy.cancelOf', { date: dateTime(d.createdAt) })}
                    >
                      {t('deploy.cancel')}
                    </Button>
                  )}
                  {team && d.state === 'retired' && list.kept.includes(d.id) && (
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => rollback.mutate(d.id)}
                      loading={rollback.isPending && rollback.variables === d.id}
                      aria-label={t('deploy.rollbackTo', { commit: d.commitSha?.slice(0, 7) ?? short(d) })}
                    >
                      {t('deploy.rollback')}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ScrollTable>
    </>
  );
}
