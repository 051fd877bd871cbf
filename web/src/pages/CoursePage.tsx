import { Alert, Anchor, Button, Group, NativeSelect, Stack, Table, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { Assignment, Course, Grade, Student } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { GradeTable } from '../components/GradeTable.tsx';
import { useI18n } from '../i18n/index.tsx';
import { parseEmails } from '../lib/paste.ts';

function Enrol({ courseId }: { courseId: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const students = useQuery({ queryKey: ['students', courseId], queryFn: () => api<{ data: Student[] }>(`/api/courses/${courseId}/students`) });
  const enrol = useMutation({
    mutationFn: (emails: string[]) => api<{ enrolled: string[]; unknownEmails: string[] }>(`/api/courses/${courseId}/enrolments`, { body: { emails } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['students', courseId] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    enrol.mutate(parseEmails(String(new FormData(event.currentTarget).get('emails'))));
  };
  return (
    <Stack>
      <form onSubmit={submit}>
        <Stack gap="xs">
          <Textarea name="emails" label={t('course.enrolLabel')} description={t('course.enrolHint')} autosize minRows={3} required />
          <Group>
            <Button type="submit" loading={enrol.isPending}>
              {t('course.enrol')}
            </Button>
          </Group>
        </Stack>
      </form>
      <ErrorAlert error={enrol.error} />
      {enrol.data && (
        <Alert color={enrol.data.unknownEmails.length ? 'yellow' : 'green'} role="status" title={t('course.enrolled', { count: enrol.data.enrolled.length })}>
          {enrol.data.unknownEmails.length > 0 && (
            <>
              <Text size="sm">{t('course.unknown')}</Text>
              <ul data-testid="unknown-emails">
                {enrol.data.unknownEmails.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </>
          )}
        </Alert>
      )}
      {students.isPending ? (
        <Loading />
      ) : students.isError ? (
        <ErrorAlert error={students.error} />
      ) : students.data.data.length === 0 ? (
        <Empty>{t('course.noStudents')}</Empty>
      ) : (
        <Table striped aria-label={t('course.students')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('signup.username')}</Table.Th>
              <Table.Th>{t('signup.email')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {students.data.data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{s.username}</Table.Td>
                <Table.Td>{s.email}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Assignments({ courseId, canEdit }: { courseId: string; canEdit: boolean }) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const { user } = useSession();
  const assignments = useQuery({ queryKey: ['assignments', courseId], queryFn: () => api<{ data: Assignment[] }>(`/api/courses/${courseId}/assignments`) });
  const mine = useQuery({ queryKey: ['my-grades'], queryFn: () => api<{ data: Grade[] }>('/api/me/grades'), enabled: user?.role === 'student' });
  const add = useMutation({
    mutationFn: (body: { title: string; dueAt: string }) => api(`/api/courses/${courseId}/assignments`, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['assignments', courseId] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    add.mutate(
      { title: String(form.get('title')), dueAt: new Date(String(form.get('dueAt'))).toISOString() },
      { onSuccess: () => (event.target as HTMLFormElement).reset() },
    );
  };
  const gradeOf = (a: Assignment) => mine.data?.data.find((g) => g.assignmentId === a.id);
  return (
    <Stack>
      {canEdit && (
        <form onSubmit={submit}>
          <Group align="end" wrap="wrap">
            <TextInput name="title" label={t('course.assignmentTitle')} required />
            <TextInput name="dueAt" type="datetime-local" label={t('course.dueAt')} required />
            <Button type="submit" loading={add.isPending}>
              {t('course.addAssignment')}
            </Button>
          </Group>
        </form>
      )}
      <ErrorAlert error={add.error} />
      {assignments.isPending ? (
        <Loading />
      ) : assignments.isError ? (
        <ErrorAlert error={assignments.error} />
      ) : assignments.data.data.length === 0 ? (
        <Empty>{t('course.noAssignments')}</Empty>
      ) : (
        <Table striped aria-label={t('course.assignments')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('course.assignmentTitle')}</Table.Th>
              <Table.Th>{t('course.dueAt')}</Table.Th>
              {!canEdit && <Table.Th>{t('course.myGrade')}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {assignments.data.data.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{a.title}</Table.Td>
                <Table.Td>{dateTime(a.dueAt)}</Table.Td>
                {!canEdit && (
                  <Table.Td>{gradeOf(a) ? `${gradeOf(a)!.grade}${gradeOf(a)!.onTime ? '' : ` (${t('course.late')})`}` : t('course.notGraded')}</Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Grades({ courseId }: { courseId: string }) {
  const { t } = useI18n();
  const assignments = useQuery({ queryKey: ['assignments', courseId], queryFn: () => api<{ data: Assignment[] }>(`/api/courses/${courseId}/assignments`) });
  const [chosen, setChosen] = useState<string | null>(null);
  if (assignments.isPending) return <Loading />;
  if (assignments.isError) return <ErrorAlert error={assignments.error} />;
  const list = assignments.data.data;
  if (list.length === 0) return <Empty>{t('course.noAssignments')}</Empty>;
  const current = chosen ?? list[0]!.id;
  return (
    <Stack>
      <NativeSelect
        label={t('course.assignment')}
        value={current}
        onChange={(e) => setChosen(e.currentTarget.value)}
        data={list.map((a) => ({ value: a.id, label: a.title }))}
        maw={320}
      />
      <GradeTable courseId={courseId} assignmentId={current} />
    </Stack>
  );
}

/** One course group: the teacher manages students, assignments and grades; a student sees assignments and grades. */
export function CoursePage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t } = useI18n();
  const { user } = useSession();
  const course = useQuery({ queryKey: ['course', id], queryFn: () => api<Course>(`/api/courses/${id}`) });
  if (course.isPending) return <Loading />;
  if (course.isError)
    return (
      <Stack>
        <ErrorAlert error={course.error} />
        <Anchor component={Link} to="/courses">
          {t('course.back')}
        </Anchor>
      </Stack>
    );
  const c = course.data;
  const manages = user?.role === 'admin' || c.teacherId === user?.id;
  return (
    <Stack>
      <Anchor component={Link} to="/courses">
        {t('course.back')}
      </Anchor>
      <Group justify="space-between">
        <Title order={2}>
          {c.subjectCode} · {c.subjectName} — {t('courses.group')} {c.group} ({c.year}-{c.period})
        </Title>
        <Group gap="md">
          <Anchor component={Link} to={`/courses/${id}/projects`}>
            {t('course.projects')}
          </Anchor>
          {manages && (
            <Anchor component={Link} to={`/courses/${id}/stats`}>
              {t('course.stats')}
            </Anchor>
          )}
          {!manages && (
            <Anchor component={Link} to="/progress">
              {t('nav.progress')}
            </Anchor>
          )}
        </Group>
      </Group>
      {manages ? (
        <Tabs defaultValue="students" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="students">{t('course.students')}</Tabs.Tab>
            <Tabs.Tab value="assignments">{t('course.assignments')}</Tabs.Tab>
            <Tabs.Tab value="grades">{t('course.grades')}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="students" pt="md">
            <Enrol courseId={id} />
          </Tabs.Panel>
          <Tabs.Panel value="assignments" pt="md">
            <Assignments courseId={id} canEdit />
          </Tabs.Panel>
          <Tabs.Panel value="grades" pt="md">
            <Grades courseId={id} />
          </Tabs.Panel>
        </Tabs>
      ) : (
        <Assignments courseId={id} canEdit={false} />
      )}
    </Stack>
  );
}
