import { Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { deploymentsKey, fetchDeployments, running, type Deployment, type DeploymentList } from '../../api/deploy.ts';
import { onTeam, type Project } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert, Loading } from '../states.tsx';
import { AppControls } from './AppControls.tsx';
import { DeploymentProgress } from './DeploymentProgress.tsx';
import { ReleasesTable } from './ReleasesTable.tsx';

const BUSY_MS = 2000;
const IDLE_MS = 10_000;

/** A deployment on its way, or an app between the state asked for and the one it is in. */
const busy = (list: DeploymentList) =>
  list.data.some(running) || list.app?.status === 'starting' || (list.app?.desired === 'running' && list.app.status === 'stopped');

/** Deploy: the team deploys a ref and follows its progress and log; everyone here sees the app, its controls and the releases. */
export function DeployPanel({ project }: { project: Project }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const team = onTeam(project.viewer);
  const [shown, setShown] = useState<string | null>(null);
  const list = useQuery({
    queryKey: deploymentsKey(project.id),
    queryFn: () => fetchDeployments(project.id),
    refetchInterval: (q) => (q.state.data && busy(q.state.data) ? BUSY_MS : IDLE_MS),
  });
  const deploy = useMutation({
    mutationFn: (ref: string) => api<Deployment>(`/api/projects/${project.id}/deployments`, { method: 'POST', body: ref ? { ref } : {} }),
    onSuccess: (d) => {
      setShown(d.id);
      return client.invalidateQueries({ queryKey: deploymentsKey(project.id) });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    deploy.mutate(String(new FormData(event.currentTarget).get('ref') ?? '').trim());
  };
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorAlert error={list.error} />;
  const data = list.data;
  const followed = shown ?? data.data.find(running)?.id ?? data.data[0]?.id ?? null;
  return (
    <Stack>
      <AppControls project={project} app={data.app} />
      {team && (
        <form onSubmit={submit} aria-label={t('deploy.formLabel')}>
          <Stack gap="xs">
            {!project.repoUrl && <Text size="sm">{t('deploy.noRepo')}</Text>}
            <Group align="end" wrap="wrap">
              <TextInput
                name="ref"
                label={t('deploy.ref')}
                description={t('deploy.refHint')}
                maxLength={200}
                autoComplete="off"
                spellCheck={false}
                style={{ flex: 1, minWidth: 200 }}
              />
              <Button type="submit" loading={deploy.isPending}>
                {t('deploy.deploy')}
              </Button>
            </Group>
            <ErrorAlert error={deploy.error} />
          </Stack>
        </form>
      )}
      {followed && <DeploymentProgress key={followed} deploymentId={followed} />}
      <Title order={3}>{t('deploy.releases')}</Title>
      <ReleasesTable project={project} list={data} shown={followed} onShow={setShown} />
    </Stack>
  );
}
