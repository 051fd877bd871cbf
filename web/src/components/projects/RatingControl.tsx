import { Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { projectKey, type Project } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../states.tsx';

/** Five buttons to rate a project 1–5 (pressed: the viewer's own rating); rating again replaces it. */
export function RatingControl({ project }: { project: Project }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const rate = useMutation({
    mutationFn: (score: number) => api<Project['rating']>(`/api/projects/${project.id}/ratings`, { body: { score } }),
    onSuccess: (rating) => {
      client.setQueryData<Project>(projectKey(project.id), (p) => (p ? { ...p, rating } : p));
      return client.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  const mine = project.rating.mine;
  return (
    <Stack gap={4}>
      <Text size="sm" id={`rate-${project.id}`}>
        {mine ? t('rating.mine', { score: mine }) : t('rating.ask')}
      </Text>
      <Group gap={4} role="group" aria-labelledby={`rate-${project.id}`}>
        {[1, 2, 3, 4, 5].map((score) => (
          <Button
            key={score}
            size="xs"
            variant={mine === score ? 'filled' : 'default'}
            aria-pressed={mine === score}
            aria-label={t('rating.rate', { score })}
            loading={rate.isPending && rate.variables === score}
            onClick={() => rate.mutate(score)}
          >
            {'★'.repeat(score)}
          </Button>
        ))}
      </Group>
      <ErrorAlert error={rate.error} />
    </Stack>
  );
}
