import { Anchor, Badge, Card, Group, Stack, Text } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { onTeam, type Project } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';

/** A project's average rating and count in words ("4.5 ★ · 3 ratings" or "No ratings yet"). */
export function RatingSummary({ rating }: { rating: Project['rating'] }) {
  const { t, number } = useI18n();
  if (rating.average === null)
    return (
      <Text size="sm" c="dimmed">
        {t('projects.noRatings')}
      </Text>
    );
  return (
    <Text size="sm">
      {t(rating.count === 1 ? 'projects.ratingSummaryOne' : 'projects.ratingSummary', { average: number(rating.average, 2), count: rating.count })}
    </Text>
  );
}

/** A project's tags as a list of badges. */
export function TagList({ tags }: { tags: string[] }) {
  const { t } = useI18n();
  if (tags.length === 0) return null;
  return (
    <Group gap={4} aria-label={t('projects.tags')} role="list">
      {tags.map((tag) => (
        <Badge key={tag} role="listitem" variant="light" c="dark" tt="none">
          {tag}
        </Badge>
      ))}
    </Group>
  );
}

/** One project in a list: name, team, tags, rating, and whether it is the viewer's team. */
export function ProjectCard({ project }: { project: Project }) {
  const { t } = useI18n();
  return (
    <Card withBorder padding="sm" data-testid="project-card">
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Anchor component={Link} to={`/projects/${project.id}`} fw={600} truncate>
            {project.name}
          </Anchor>
          {onTeam(project.viewer) && (
            <Badge variant="light" color="green" c="dark">
              {t('projects.yourTeam')}
            </Badge>
          )}
        </Group>
        <Text size="sm" c="dimmed">
          {t('projects.teamOf', { names: project.team.map((m) => m.username).join(', ') })}
        </Text>
        <TagList tags={project.tags} />
        <RatingSummary rating={project.rating} />
      </Stack>
    </Card>
  );
}
