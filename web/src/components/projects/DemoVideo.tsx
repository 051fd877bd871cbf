import { Text } from '@mantine/core';
import type { Project } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';

/** The demo video in the player, streamed (Range) from the signed links the project carries. */
export function DemoVideo({ project }: { project: Project }) {
  const { t } = useI18n();
  if (!project.demo)
    return (
      <Text size="sm" c="dimmed">
        {t('projects.demoNotReady')}
      </Text>
    );
  return (
    // biome-ignore lint/a11y/useMediaCaption: uploaded demo videos come with no caption track and Aula makes none
    <video
      src={project.demo.processed}
      poster={project.demo.thumbnail}
      controls
      preload="metadata"
      style={{ width: '100%', maxWidth: 960 }}
      aria-label={t('videos.player', { title: project.name })}
      data-testid="demo-player"
    />
  );
}
