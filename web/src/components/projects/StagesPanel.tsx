import { Anchor, Badge, Button, Card, Group, NativeSelect, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { onTeam, projectKey, type Project, type Stage } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Empty, ErrorAlert } from '../states.tsx';

const STATUS_COLOR: Record<Stage['status'], string> = { pending: 'gray', submitted: 'blue', accepted: 'green', 'changes-requested': 'orange' };

/** The mutation every stage form uses: send, then reload the project. */
function useStageChange(project: Project) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ path, method, body }: { path: string; method: string; body: unknown }) => api(`/api/projects/${project.id}/stages${path}`, { method, body }),
    onSuccess: () => client.invalidateQueries({ queryKey: projectKey(project.id) }),
  });
}

const field = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

function SubmitForm({ project, stage }: { project: Project; stage: Stage }) {
  const { t } = useI18n();
  const change = useStageChange(project);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = Object.fromEntries(['commitSha', 'link', 'note'].map((k) => [k, field(form, k)]).filter(([, v]) => v !== ''));
    change.mutate({ path: `/${stage.id}/submission`, method: 'PUT', body });
  };
  return (
    <form onSubmit={submit} aria-label={t('stages.submitOf', { title: stage.title })}>
      <Stack gap="xs">
        <Group align="end" wrap="wrap">
          <TextInput
            name="commitSha"
            label={t('stages.commit')}
            defaultValue={stage.submission?.commitSha ?? ''}
            spellCheck={false}
            style={{ flex: 1, minWidth: 160 }}
          />
          <TextInput
            name="link"
            type="url"
            label={t('stages.link')}
            defaultValue={stage.submission?.link ?? ''}
            placeholder="https://…"
            style={{ flex: 2, minWidth: 200 }}
          />
        </Group>
        <Textarea name="note" label={t('stages.note')} description={t('stages.submitHint')} defaultValue={stage.submission?.note ?? ''} autosize minRows={2} />
        <ErrorAlert error={change.error} />
        <Group>
          <Button type="submit" loading={change.isPending}>
            {t(stage.submission ? 'stages.resubmit' : 'stages.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ReviewForm({ project, stage }: { project: Project; stage: Stage }) {
  const { t } = useI18n();
  const change = useStageChange(project);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const feedback = field(form, 'feedback');
    change.mutate({ path: `/${stage.id}/review`, method: 'PUT', body: { status: field(form, 'status'), ...(feedback ? { feedback } : {}) } });
  };
  return (
    <form onSubmit={submit} aria-label={t('stages.reviewOf', { title: stage.title })}>
      <Stack gap="xs">
        <NativeSelect
          name="status"
          label={t('stages.decision')}
          data={[
            { value: 'accepted', label: t('stages.accept') },
            { value: 'changes-requested', label: t('stages.requestChanges') },
          ]}
          maw={280}
        />
        <Textarea name="feedback" label={t('stages.feedback')} autosize minRows={2} />
        <ErrorAlert error={change.error} />
        <Group>
          <Button type="submit" loading={change.isPending}>
            {t('stages.saveReview')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function AddStage({ project }: { project: Project }) {
  const { t } = useI18n();
  const change = useStageChange(project);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const due = field(form, 'dueAt');
    const target = event.currentTarget;
    change.mutate(
      { path: '', method: 'POST', body: { title: field(form, 'title'), ...(due ? { dueAt: new Date(due).toISOString() } : {}) } },
      { onSuccess: () => target.reset() },
    );
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="xs">
        <Group align="end" wrap="wrap">
          <TextInput name="title" label={t('stages.title')} required maxLength={200} />
          <TextInput name="dueAt" type="datetime-local" label={t('stages.due')} />
          <Button type="submit" variant="light" loading={change.isPending}>
            {t('stages.add')}
          </Button>
        </Group>
        <ErrorAlert error={change.error} />
      </Stack>
    </form>
  );
}

function StageCard({ project, stage }: { project: Project; stage: Stage }) {
  const { t, dateTime } = useI18n();
  const s = stage.submission;
  return (
    <Card withBorder padding="sm" data-testid="stage" aria-labelledby={`stage-${stage.id}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h4" id={`stage-${stage.id}`}>
            {stage.position}. {stage.title}
          </Title>
          <Badge color={STATUS_COLOR[stage.status]} variant="light" c="dark">
            {t(`stageStatus.${stage.status}`)}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed">
          {stage.dueAt ? t('stages.dueOn', { date: dateTime(stage.dueAt) }) : t('stages.noDue')}
        </Text>
        {s ? (
          <Stack gap={2}>
            <Text size="sm" fw={600}>
              {t('stages.submittedOn', { date: s.submittedAt ? dateTime(s.submittedAt) : '' })}
            </Text>
            {s.commitSha && (
              <Text size="sm">
                {t('stages.commit')}: <code>{s.commitSha}</code>
              </Text>
            )}
            {s.link && (
              <Text size="sm">
                {t('stages.link')}:{' '}
                <Anchor href={s.link} target="_blank" rel="noreferrer">
                  {s.link}
                </Anchor>
              </Text>
            )}
            {s.note && (
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {s.note}
              </Text>
            )}
          </Stack>
        ) : (
          <Text size="sm">{t('stages.notSubmitted')}</Text>
        )}
        {stage.feedback && (
          <Stack gap={2} data-testid="feedback">
            <Text size="sm" fw={600}>
              {t('stages.feedback')}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {stage.feedback}
            </Text>
          </Stack>
        )}
        {onTeam(project.viewer) && stage.status !== 'accepted' && <SubmitForm project={project} stage={stage} />}
        {project.viewer === 'staff' && stage.status === 'submitted' && <ReviewForm project={project} stage={stage} />}
      </Stack>
    </Card>
  );
}

/** The stages in order with their submissions (and, for the team and staff, feedback); members submit, the teacher reviews. */
export function StagesPanel({ project }: { project: Project }) {
  const { t } = useI18n();
  const stages = project.stages ?? [];
  const edits = project.viewer !== 'classmate';
  return (
    <Stack>
      {stages.length === 0 ? (
        <Empty>{t(edits ? 'stages.emptyEdit' : 'stages.empty')}</Empty>
      ) : (
        stages.map((s) => <StageCard key={s.id} project={project} stage={s} />)
      )}
      {edits && <AddStage project={project} />}
    </Stack>
  );
}
