import { Alert, Anchor, Button, Group, NativeSelect, Stack, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import type { FormEvent } from 'react';
import { api } from '../api/client.ts';
import { fetchProject, onTeam, projectKey, type Project } from '../api/projects.ts';
import type { TaskPage } from '../api/types.ts';
import { ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Tags typed as "a, b, c". */
const parseTags = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

// Not under ['tasks']: the live feed rewrites those keys as paged lists.
function DemoVideoSelect({ current }: { current: string | null }) {
  const { t } = useI18n();
  const tasks = useQuery({ queryKey: ['demo-candidates'], queryFn: () => api<TaskPage>('/api/tasks?status=processed&max=100') });
  const mine = tasks.data?.data ?? [];
  const options = [{ value: '', label: t('projectForm.noDemo') }, ...mine.map((task) => ({ value: task.id, label: task.title }))];
  if (current && !mine.some((task) => task.id === current)) options.push({ value: current, label: t('projectForm.keepDemo') });
  return (
    <NativeSelect
      name="demoTaskId"
      label={t('projectForm.demo')}
      description={t('projectForm.demoHint')}
      defaultValue={current ?? ''}
      data={options}
      disabled={tasks.isPending}
      key={tasks.isPending ? 'loading' : 'ready'}
    />
  );
}

function ProjectForm({ courseId, project }: { courseId: string; project?: Project }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const navigate = useNavigate();
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      project ? api<Project>(`/api/projects/${project.id}`, { method: 'PATCH', body }) : api<Project>('/api/projects', { body: { ...body, courseId } }),
    onSuccess: (saved) => {
      client.setQueryData(projectKey(saved.id), saved);
      void client.invalidateQueries({ queryKey: ['projects'] });
      void client.invalidateQueries({ queryKey: ['project-tags', saved.courseId] });
      return navigate({ to: `/projects/${saved.id}` });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const demo = String(form.get('demoTaskId') ?? '');
    const body: Record<string, unknown> = {
      name: String(form.get('name')).trim(),
      description: String(form.get('description') ?? ''),
      repoUrl: String(form.get('repoUrl') ?? '').trim(),
      tags: parseTags(String(form.get('tags') ?? '')),
    };
    if (project) body.demoTaskId = demo || null;
    else {
      body.slug = String(form.get('slug')).trim();
      if (demo) body.demoTaskId = demo;
    }
    save.mutate(body);
  };
  return (
    <form onSubmit={submit}>
      <Stack maw={640}>
        <TextInput name="name" label={t('projectForm.name')} defaultValue={project?.name} required maxLength={200} />
        {project ? (
          <TextInput label={t('projectForm.slug')} value={project.slug} readOnly description={t('projectForm.slugFixed')} />
        ) : (
          <TextInput
            name="slug"
            label={t('projectForm.slug')}
            description={t('projectForm.slugHint')}
            required
            maxLength={30}
            autoCapitalize="none"
            spellCheck={false}
          />
        )}
        <Textarea
          name="description"
          label={t('projectForm.description')}
          description={t('projectForm.descriptionHint')}
          defaultValue={project?.description}
          autosize
          minRows={4}
          maxLength={10_000}
        />
        <TextInput
          name="repoUrl"
          label={t('projectForm.repoUrl')}
          description={t('projectForm.repoUrlHint')}
          defaultValue={project?.repoUrl}
          placeholder="https://…"
        />
        <TextInput name="tags" label={t('projectForm.tags')} description={t('projectForm.tagsHint')} defaultValue={project?.tags.join(', ')} />
        <DemoVideoSelect current={project?.demoTaskId ?? null} />
        <ErrorAlert error={save.error} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            {t(project ? 'common.save' : 'projectForm.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A new project in a course group (the caller becomes its owner). */
export function NewProjectPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t } = useI18n();
  return (
    <Stack>
      <Anchor component={Link} to={`/courses/${id}/projects`}>
        {t('projects.backToShowcase')}
      </Anchor>
      <Title order={2}>{t('projectForm.newTitle')}</Title>
      <ProjectForm courseId={id} />
    </Stack>
  );
}

/** Changes a project's name, description, repository, tags and demo video (its team). */
export function EditProjectPage() {
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
  if (!onTeam(project.data.viewer))
    return (
      <Stack>
        <Alert color="yellow" role="status">
          {t('projectForm.teamOnly')}
        </Alert>
        <Anchor component={Link} to={`/projects/${id}`}>
          {t('projects.backToProject')}
        </Anchor>
      </Stack>
    );
  return (
    <Stack>
      <Anchor component={Link} to={`/projects/${id}`}>
        {t('projects.backToProject')}
      </Anchor>
      <Title order={2}>{t('projectForm.editTitle', { name: project.data.name })}</Title>
      <ProjectForm courseId={project.data.courseId} project={project.data} />
    </Stack>
  );
}
