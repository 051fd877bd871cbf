import { Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { Course, Paged } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { PeriodChart } from '../components/PeriodChart.tsx';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';
import { GroupBySwitch, type GroupBy } from './CourseStatsPage.tsx';

interface CourseFigures {
  averageGrade: number;
  gradeCount: number;
  onTimePercentage: number | null;
}
interface Comparison {
  student: { averageGrade: number };
  others: Array<{ averageGrade: number; gradeCount: number }>;
}

function CourseCard({ course, studentId }: { course: Course; studentId: string }) {
  const { t, number } = useI18n();
  const figures = useQuery({
    queryKey: ['stats', course.id, 'me'],
    queryFn: async () => {
      try {
        const [own, comparison] = await Promise.all([
          api<CourseFigures>(`/api/stats/students/${studentId}/courses/${course.id}`),
          api<Comparison>(`/api/stats/students/${studentId}/courses/${course.id}/assignments/average`),
        ]);
        return { own, comparison };
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
  const others = figures.data?.comparison.others ?? [];
  const othersAverage = others.length ? others.reduce((s, o) => s + o.averageGrade, 0) / others.length : null;
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        {course.subjectCode} · {course.subjectName} ({course.group})
      </Title>
      {figures.isPending ? (
        <Loading />
      ) : figures.isError ? (
        <ErrorAlert error={figures.error} />
      ) : !figures.data ? (
        <Text c="dimmed">{t('progress.noGrades')}</Text>
      ) : (
        <Table aria-label={t('progress.figuresOf', { course: course.subjectCode })}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th scope="row">{t('progress.myAverage')}</Table.Th>
              <Table.Td>{number(figures.data.own.averageGrade)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('progress.othersAverage')}</Table.Th>
              <Table.Td>{othersAverage === null ? '—' : number(othersAverage)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('stats.onTimePct')}</Table.Th>
              <Table.Td>{figures.data.own.onTimePercentage === null ? '—' : `${number(figures.data.own.onTimePercentage, 0)} %`}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('progress.gradeCount')}</Table.Th>
              <Table.Td>{figures.data.own.gradeCount}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

/** A student's own progress: average over time and, per course, next to the (anonymous) rest of the group. */
export function MyProgressPage() {
  const { t } = useI18n();
  const { user } = useSession();
  const [groupBy, setGroupBy] = useState<GroupBy>('month');
  const courses = useQuery({ queryKey: ['courses'], queryFn: () => api<Paged<Course>>('/api/courses?pageSize=100') });
  const averages = useQuery({
    queryKey: ['stats', 'me', groupBy],
    queryFn: () => api<{ averages: Array<{ period: string; averageGrade: number }> }>(`/api/stats/students/${user!.id}/average?groupBy=${groupBy}`),
  });
  const series = useMemo(() => {
    const list = averages.data?.averages ?? [];
    return { periods: list.map((a) => a.period), lines: [{ label: t('progress.myAverage'), color: '#1864ab', values: list.map((a) => a.averageGrade) }] };
  }, [averages.data, t]);
  if (!user) return null;
  return (
    <Stack>
      <Title order={2}>{t('progress.title')}</Title>
      <GroupBySwitch value={groupBy} onChange={setGroupBy} />
      {averages.isPending ? (
        <Loading />
      ) : averages.isError ? (
        <ErrorAlert error={averages.error} />
      ) : series.periods.length === 0 ? (
        <Empty>{t('progress.noGrades')}</Empty>
      ) : (
        <PeriodChart xLabel={t('stats.period')} periods={series.periods} series={series.lines} label={t('stats.averageChart')} />
      )}
      {courses.isPending ? (
        <Loading />
      ) : courses.isError ? (
        <ErrorAlert error={courses.error} />
      ) : courses.data.data.length === 0 ? (
        <Empty>{t('courses.emptyStudent')}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {courses.data.data.map((c) => (
            <CourseCard key={c.id} course={c} studentId={user.id} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
