import { Anchor, Badge, Button, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { fetchProject, onTeam, projectKey, type Project } from '../api/projects.ts';
import { DatabasePanel } from '../components/projects/DatabasePanel.tsx';
import { DeployPanel } from '../components/projects/DeployPanel.tsx';
import { DemoVideo } from '../components/projects/DemoVideo.tsx';
import { EnvPanel } from '../components/projects/EnvPanel.tsx';
import { RatingSummary, TagList } from '../components/projects/ProjectCard.tsx';
import { RatingControl } from '../components/projects/RatingControl.tsx';
import { StagesPanel } from '../components/projects/StagesPanel.tsx';
import { TeamPanel } from '../components/projects/TeamPanel.tsx';
import { ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

function Overview({ project: p }: { project: Project }) {
  const { t } = useI18n();
  return (
    <Stack>
      <TagList tags={p.tags} />
      <Group gap="lg" align="start" wrap="wrap">
        <RatingSummary rating={p.rating} />
        {!onTeam(p.viewer) && <RatingControl project={p} />}
      </Group>
      {p.description ? (
        <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="description">
          {p.description}
        </Text>
      ) : (
        <Text c="dimmed">{t('projects.noDescription')}</Text>
      )}
      {p.repoUrl && (
        <Text size="sm">
          {t('projectForm.repoUrl')}:{' '}
          <Anchor href={p.repoUrl} target="_blank" rel="noreferrer">
            {p.repoUrl}
          </Anchor>
        </Text>
      )}
      {p.demoTaskId && (
        <Stack gap="xs">
          <Title order={3}>{t('projects.demo')}</Title>
          <DemoVideo project={p} />
        </Stack>
      )}
    </Stack>
  );
}

/** One project: overview, rating and demo for everyone who may see it; stages, team, env vars, database and deploy in tabs for its team and staff. */
export function ProjectPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t } = useI18n();
  const project = useQuery({ queryKey: projectKey(id), queryFn: () => fetchProject(id) });
  if (project.isPending) return <Loading />;
  if (project.isError)
    return (
      <Stack>
        <ErrorAlert error={project.error} />
        <Anchor component={Link} to="/projects">
          {t('projects.back')}
        </Anchor>
      </Stack>
    );
  const p = project.data;
  const insider = p.viewer !== 'classmate';
  return (
    <Stack>
      <Anchor component={Link} to={`/courses/${p.courseId}/projects`}>
        {t('projects.backToShowcase')}
      </Anchor>
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={2}>{p.name}</Title>
          <Badge variant="outline" c="dark" tt="none">
            {p.slug}
          </Badge>
        </Group>
        {onTeam(p.viewer) && (
          <Button component={Link} to={`/projects/${p.id}/edit`} variant="light">
            {t('projects.edit')}
          </Button>
        )}
      </Group>
      <Overview project={p} />
      {insider ? (
        <Tabs defaultValue="stages" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="stages">{t('stages.tab')}</Tabs.Tab>
            <Tabs.Tab value="team">{t('team.title')}</Tabs.Tab>
            <Tabs.Tab value="env">{t('env.title')}</Tabs.Tab>
            <Tabs.Tab value="db">{t('db.title')}</Tabs.Tab>
            <Tabs.Tab value="deploy">{t('deploy.tab')}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="stages" pt="md">
            <StagesPanel project={p} />
          </Tabs.Panel>
          <Tabs.Panel value="team" pt="md">
            <TeamPanel project={p} />
          </Tabs.Panel>
          <Tabs.Panel value="env" pt="md">
            <EnvPanel project={p} />
          </Tabs.Panel>
          <Tabs.Panel value="db" pt="md">
            <DatabasePanel project={p} />
          </Tabs.Panel>
          <Tabs.Panel value="deploy" pt="md">
            <DeployPanel project={p} />
          </Tabs.Panel>
        </Tabs>
      ) : (
        <>
          <Title order={3}>{t('stages.tab')}</Title>
          <StagesPanel project={p} />
          <Title order={3}>{t('team.title')}</Title>
          <TeamPanel project={p} />
        </>
      )}
    </Stack>
  );
}
