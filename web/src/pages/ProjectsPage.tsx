import { Anchor, Button, List, SimpleGrid, Stack, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../api/client.ts';
import type { ProjectPage } from '../api/projects.ts';
import type { Course, Paged } from '../api/types.ts';
import { ProjectCard } from '../components/projects/ProjectCard.tsx';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

const PAGE_SIZE = 12;

/** Projects: a showcase link per course group of mine, and the projects I may see (my teams marked with a badge). */
export function ProjectsPage() {
  const { t } = useI18n();
  const courses = useQuery({ queryKey: ['courses'], queryFn: () => api<Paged<Course>>('/api/courses?pageSize=100') });
  const projects = useInfiniteQuery({
    queryKey: ['projects', 'visible'],
    queryFn: ({ pageParam }) => api<ProjectPage>(`/api/projects?max=${PAGE_SIZE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const all = projects.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Stack>
      <Title order={2}>{t('projects.title')}</Title>
      <Title order={3}>{t('projects.byCourse')}</Title>
      {courses.isPending ? (
        <Loading />
      ) : courses.isError ? (
        <ErrorAlert error={courses.error} />
      ) : courses.data.data.length === 0 ? (
        <Empty>{t('projects.noCourses')}</Empty>
      ) : (
        <List aria-label={t('projects.byCourse')}>
          {courses.data.data.map((c) => (
            <List.Item key={c.id}>
              <Anchor component={Link} to={`/courses/${c.id}/projects`}>
                {t('projects.showcaseOf', { course: `${c.subjectCode} · ${c.subjectName} — ${t('courses.group')} ${c.group}` })}
              </Anchor>
            </List.Item>
          ))}
        </List>
      )}
      <Title order={3}>{t('projects.visible')}</Title>
      {projects.isPending ? (
        <Loading />
      ) : projects.isError ? (
        <ErrorAlert error={projects.error} />
      ) : all.length === 0 ? (
        <Empty>{t('projects.noneVisible')}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {all.map((p) => (
            <ProjectCard key={p.id} project={p} />
          ))}
        </SimpleGrid>
      )}
      {projects.hasNextPage && (
        <Button variant="default" onClick={() => void projects.fetchNextPage()} loading={projects.isFetchingNextPage}>
          {t('projects.more')}
        </Button>
      )}
    </Stack>
  );
}
