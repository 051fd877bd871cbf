import { Anchor, Button, Group, NativeSelect, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { ProjectPage } from '../api/projects.ts';
import type { Course } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { ProjectCard } from '../components/projects/ProjectCard.tsx';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

const PAGE_SIZE = 12;

/** A course group's projects: search, tag filter, sort by recent or rating, paging; a button for a new one. */
export function ShowcasePage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t } = useI18n();
  const { user } = useSession();
  const [q, setQ] = useState('');
  const [search] = useDebouncedValue(q.trim(), 300);
  const [tag, setTag] = useState('');
  const [sort, setSort] = useState<'recent' | 'rating'>('recent');
  const course = useQuery({ queryKey: ['course', id], queryFn: () => api<Course>(`/api/courses/${id}`) });
  const tags = useQuery({
    queryKey: ['project-tags', id],
    queryFn: () => api<{ data: Array<{ tag: string; count: number }> }>(`/api/projects/tags?courseId=${id}`),
  });
  const projects = useInfiniteQuery({
    queryKey: ['projects', id, search, tag, sort],
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ courseId: id, sort, max: String(PAGE_SIZE) });
      if (search) params.set('q', search);
      if (tag) params.set('tag', tag);
      if (pageParam) params.set('cursor', pageParam);
      return api<ProjectPage>(`/api/projects?${params}`);
    },
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (course.isPending) return <Loading />;
  if (course.isError)
    return (
      <Stack>
        <ErrorAlert error={course.error} />
        <Anchor component={Link} to="/projects">
          {t('projects.back')}
        </Anchor>
      </Stack>
    );
  const c = course.data;
  const all = projects.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = search !== '' || tag !== '';
  const mayCreate = user?.role === 'student' || c.teacherId === user?.id;

  return (
    <Stack>
      <Anchor component={Link} to={`/courses/${id}`}>
        {t('course.backToCourse')}
      </Anchor>
      <Group justify="space-between">
        <Title order={2}>{t('projects.showcaseOf', { course: `${c.subjectCode} · ${c.subjectName} — ${t('courses.group')} ${c.group}` })}</Title>
        {mayCreate && (
          <Button component={Link} to={`/courses/${id}/projects/new`}>
            {t('projects.new')}
          </Button>
        )}
      </Group>
      <Group align="end" wrap="wrap">
        <TextInput type="search" label={t('projects.search')} value={q} onChange={(e) => setQ(e.currentTarget.value)} style={{ flex: 1, minWidth: 200 }} />
        <NativeSelect
          label={t('projects.tag')}
          value={tag}
          onChange={(e) => setTag(e.currentTarget.value)}
          data={[{ value: '', label: t('projects.allTags') }, ...(tags.data?.data ?? []).map((x) => ({ value: x.tag, label: `${x.tag} (${x.count})` }))]}
        />
        <NativeSelect
          label={t('projects.sort')}
          value={sort}
          onChange={(e) => setSort(e.currentTarget.value as typeof sort)}
          data={[
            { value: 'recent', label: t('projects.sortRecent') },
            { value: 'rating', label: t('projects.sortRating') },
          ]}
        />
      </Group>
      {projects.isPending ? (
        <Loading />
      ) : projects.isError ? (
        <ErrorAlert error={projects.error} />
      ) : all.length === 0 ? (
        <Empty>{t(filtered ? 'projects.noMatch' : mayCreate ? 'projects.emptyCreate' : 'projects.empty')}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="project-grid">
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
