import { Anchor, Button, Group, NativeSelect, NumberInput, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { Course, Paged, Subject } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

function NewCourseForm() {
  const { t } = useI18n();
  const client = useQueryClient();
  const subjects = useQuery({ queryKey: ['subjects'], queryFn: () => api<{ data: Subject[] }>('/api/subjects') });
  const list = subjects.data?.data ?? [];
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<Course>('/api/courses', { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['courses'] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      subjectCode: String(form.get('subjectCode')),
      group: String(form.get('group')),
      year: Number(form.get('year')),
      period: Number(form.get('period')),
    });
  };
  if (list.length === 0 && !subjects.isPending)
    return (
      <Empty>
        {t('courses.needSubject')}{' '}
        <Anchor component={Link} to="/subjects">
          {t('nav.subjects')}
        </Anchor>
      </Empty>
    );
  return (
    <form onSubmit={submit}>
      <Stack gap="xs">
        <Title order={3}>{t('courses.new')}</Title>
        <Group align="end" wrap="wrap">
          <NativeSelect name="subjectCode" label={t('courses.subject')} data={list.map((s) => ({ value: s.code, label: `${s.code} · ${s.name}` }))} required />
          <TextInput name="group" label={t('courses.group')} required w={100} />
          <NumberInput name="year" label={t('courses.year')} defaultValue={new Date().getFullYear()} min={2000} max={2100} w={110} />
          <NativeSelect
            name="period"
            label={t('courses.period')}
            data={[
              { value: '1', label: '1' },
              { value: '2', label: '2' },
            ]}
            defaultValue={new Date().getMonth() < 6 ? '1' : '2'}
          />
          <Button type="submit" loading={create.isPending}>
            {t('courses.create')}
          </Button>
        </Group>
        <ErrorAlert error={create.error} />
      </Stack>
    </form>
  );
}

/** My courses: a teacher's groups (and a form for a new one), a student's enrolments, all for admins. */
export function CoursesPage() {
  const { t } = useI18n();
  const { user } = useSession();
  const courses = useQuery({ queryKey: ['courses'], queryFn: () => api<Paged<Course>>('/api/courses?pageSize=100') });
  const staff = user?.role === 'teacher' || user?.role === 'admin';
  return (
    <Stack>
      <Title order={2}>{t('courses.title')}</Title>
      {staff && <NewCourseForm />}
      {courses.isPending ? (
        <Loading />
      ) : courses.isError ? (
        <ErrorAlert error={courses.error} />
      ) : courses.data.data.length === 0 ? (
        <Empty>{t(staff ? 'courses.emptyTeacher' : 'courses.emptyStudent')}</Empty>
      ) : (
        <Table striped aria-label={t('courses.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('courses.subject')}</Table.Th>
              <Table.Th>{t('courses.group')}</Table.Th>
              <Table.Th>{t('courses.term')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {courses.data.data.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/courses/${c.id}`}>
                    {c.subjectCode} · {c.subjectName}
                  </Anchor>
                </Table.Td>
                <Table.Td>{c.group}</Table.Td>
                <Table.Td>
                  {c.year}-{c.period}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
