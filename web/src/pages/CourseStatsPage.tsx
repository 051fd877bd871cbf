import { Anchor, NativeSelect, SegmentedControl, SimpleGrid, Stack, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { api } from '../api/client.ts';
import type { Assignment, Course, Student } from '../api/types.ts';
import { PeriodChart } from '../components/PeriodChart.tsx';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Ways to group a series. */
export type GroupBy = 'week' | 'month' | 'quarter';

/** A switch between week, month and quarter. */
export function GroupBySwitch({ value, onChange }: { value: GroupBy; onChange(value: GroupBy): void }) {
  const { t } = useI18n();
  return (
    <SegmentedControl
      aria-label={t('stats.groupBy')}
      value={value}
      onChange={(v) => onChange(v as GroupBy)}
      data={[
        { value: 'week', label: t('stats.week') },
        { value: 'month', label: t('stats.month') },
        { value: 'quarter', label: t('stats.quarter') },
      ]}
    />
  );
}

interface Averages {
  averages: Array<{ period: string; averageGrade: number; gradeCount: number }>;
}
interface OnTime {
  period: string;
  onTimeCount: number;
  totalCount: number;
  percentage: number | null;
}

function AssignmentComparison({ courseId }: { courseId: string }) {
  const { t, number } = useI18n();
  const assignments = useQuery({ queryKey: ['assignments', courseId], queryFn: () => api<{ data: Assignment[] }>(`/api/courses/${courseId}/assignments`) });
  const students = useQuery({ queryKey: ['students', courseId], queryFn: () => api<{ data: Student[] }>(`/api/courses/${courseId}/students`) });
  const [chosen, setChosen] = useState<string | null>(null);
  const list = assignments.data?.data ?? [];
  const current = chosen ?? list[0]?.id;
  const detail = useQuery({
    queryKey: ['stats', courseId, 'assignment', current],
    enabled: Boolean(current),
    queryFn: () =>
      api<{ averageGrade: number | null; gradeCount: number; students: Array<{ studentId: string; grade: number; onTime: boolean | null }> }>(
        `/api/stats/courses/${courseId}/assignments/${current}/averages`,
      ),
  });
  if (assignments.isPending) return <Loading />;
  if (list.length === 0) return <Empty>{t('course.noAssignments')}</Empty>;
  const emailOf = (sid: string) => students.data?.data.find((s) => s.id === sid)?.email ?? sid;
  return (
    <Stack>
      <NativeSelect
        label={t('course.assignment')}
        value={current}
        onChange={(e) => setChosen(e.currentTarget.value)}
        data={list.map((a) => ({ value: a.id, label: a.title }))}
        maw={320}
      />
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <ErrorAlert error={detail.error} />
      ) : (
        <Table aria-label={t('stats.perAssignment')} data-testid="assignment-stats">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('signup.email')}</Table.Th>
              <Table.Th>{t('grades.grade')}</Table.Th>
              <Table.Th>{t('stats.onTime')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {detail.data.students.map((s) => (
              <Table.Tr key={s.studentId}>
                <Table.Td>{emailOf(s.studentId)}</Table.Td>
                <Table.Td>{number(s.grade)}</Table.Td>
                <Table.Td>{s.onTime === null ? '—' : s.onTime ? '✓' : '✗'}</Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr fw={700}>
              <Table.Td>{t('stats.groupAverage')}</Table.Td>
              <Table.Td>{detail.data.averageGrade === null ? '—' : number(detail.data.averageGrade)}</Table.Td>
              <Table.Td />
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/** A course's statistics: averages over time, on-time percentage, per-assignment comparison. */
export function CourseStatsPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t, number } = useI18n();
  const [groupBy, setGroupBy] = useState<GroupBy>('month');
  const course = useQuery({ queryKey: ['course', id], queryFn: () => api<Course>(`/api/courses/${id}`) });
  const averages = useQuery({
    queryKey: ['stats', id, 'average', groupBy],
    queryFn: () => api<Averages>(`/api/stats/courses/${id}/average?groupBy=${groupBy}`),
  });
  const onTime = useQuery({ queryKey: ['stats', id, 'on-time', groupBy], queryFn: () => api<OnTime[]>(`/api/stats/courses/${id}/on-time?groupBy=${groupBy}`) });
  const series = useMemo(() => {
    const periods = [...new Set([...(averages.data?.averages.map((a) => a.period) ?? []), ...(onTime.data?.map((o) => o.period) ?? [])])].sort();
    return {
      periods,
      average: [
        { label: t('stats.average'), color: '#1864ab', values: periods.map((p) => averages.data?.averages.find((a) => a.period === p)?.averageGrade ?? null) },
      ],
      onTime: [{ label: t('stats.onTimePct'), color: '#2b8a3e', values: periods.map((p) => onTime.data?.find((o) => o.period === p)?.percentage ?? null) }],
    };
  }, [averages.data, onTime.data, t]);

  return (
    <Stack>
      <Anchor component={Link} to={`/courses/${id}`}>
        {t('course.backToCourse')}
      </Anchor>
      <Title order={2}>
        {t('stats.title')}
        {course.data ? ` — ${course.data.subjectCode} ${course.data.group}` : ''}
      </Title>
      <GroupBySwitch value={groupBy} onChange={setGroupBy} />
      {averages.isPending || onTime.isPending ? (
        <Loading />
      ) : averages.isError ? (
        <ErrorAlert error={averages.error} />
      ) : series.periods.length === 0 ? (
        <Empty>{t('stats.empty')}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <Stack>
            <Title order={3}>{t('stats.average')}</Title>
            <PeriodChart xLabel={t('stats.period')} periods={series.periods} series={series.average} label={t('stats.averageChart')} />
          </Stack>
          <Stack>
            <Title order={3}>{t('stats.onTimePct')}</Title>
            <PeriodChart xLabel={t('stats.period')} periods={series.periods} series={series.onTime} label={t('stats.onTimeChart')} yMax={100} />
          </Stack>
          <Table aria-label={t('stats.table')} data-testid="stats-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('stats.period')}</Table.Th>
                <Table.Th>{t('stats.average')}</Table.Th>
                <Table.Th>{t('stats.onTimePct')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {series.periods.map((p, i) => (
                <Table.Tr key={p}>
                  <Table.Td>{p}</Table.Td>
                  <Table.Td>{series.average[0]!.values[i] == null ? '—' : number(series.average[0]!.values[i]!)}</Table.Td>
                  <Table.Td>{series.onTime[0]!.values[i] == null ? '—' : `${number(series.onTime[0]!.values[i]!, 0)} %`}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </SimpleGrid>
      )}
      <Title order={3}>{t('stats.perAssignment')}</Title>
      <AssignmentComparison courseId={id} />
    </Stack>
  );
}
