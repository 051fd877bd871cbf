import { Alert, Button, Group, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { Grade, Student } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { Empty, ErrorAlert, Loading, useErrorText } from './states.tsx';
import { parseGradeLines } from '../lib/paste.ts';

/** The grades of one assignment: edit a cell (saved on Enter or leaving it), or paste many at once. */
export function GradeTable({ courseId, assignmentId }: { courseId: string; assignmentId: string }) {
  const { t, number } = useI18n();
  const errorText = useErrorText();
  const client = useQueryClient();
  const students = useQuery({ queryKey: ['students', courseId], queryFn: () => api<{ data: Student[] }>(`/api/courses/${courseId}/students`) });
  const grades = useQuery({ queryKey: ['grades', courseId], queryFn: () => api<{ data: Grade[] }>(`/api/courses/${courseId}/grades`) });
  const [saving, setSaving] = useState<Record<string, 'saving' | 'saved' | string>>({});
  const [pasteReport, setPasteReport] = useState<{ saved: number; problems: string[] } | null>(null);

  const save = async (studentId: string, grade: number) => {
    setSaving((s) => ({ ...s, [studentId]: 'saving' }));
    try {
      await api(`/api/assignments/${assignmentId}/grades/${studentId}`, { method: 'PUT', body: { grade } });
      setSaving((s) => ({ ...s, [studentId]: 'saved' }));
      return null;
    } catch (error) {
      setSaving((s) => ({ ...s, [studentId]: errorText(error) }));
      return error instanceof ApiError ? error.message : String(error);
    }
  };
  const refresh = () =>
    Promise.all([client.invalidateQueries({ queryKey: ['grades', courseId] }), client.invalidateQueries({ queryKey: ['stats', courseId] })]);

  const onCell = async (studentId: string, value: string, before: number | undefined) => {
    if (value.trim() === '') return;
    const grade = Number(value.replace(',', '.'));
    if (grade === before) return;
    await save(studentId, grade);
    await refresh();
  };

  const onPaste = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const rows = parseGradeLines(String(new FormData(event.currentTarget).get('paste')));
    const byEmail = new Map(students.data?.data.map((s) => [s.email.toLowerCase(), s.id]));
    const problems: string[] = [];
    let saved = 0;
    for (const row of rows) {
      if ('line' in row) problems.push(t('grades.badLine', { line: row.line }));
      else if (!byEmail.has(row.email)) problems.push(t('grades.notEnrolled', { email: row.email }));
      else {
        const problem = await save(byEmail.get(row.email)!, row.grade);
        if (problem) problems.push(`${row.email}: ${problem}`);
        else saved += 1;
      }
    }
    setPasteReport({ saved, problems });
    await refresh();
  };

  if (students.isPending || grades.isPending) return <Loading />;
  if (students.isError || grades.isError) return <ErrorAlert error={students.error ?? grades.error} />;
  if (students.data.data.length === 0) return <Empty>{t('course.noStudents')}</Empty>;
  const gradeOf = (sid: string) => grades.data.data.find((g) => g.assignmentId === assignmentId && g.studentId === sid)?.grade;

  return (
    <Stack>
      <Table aria-label={t('course.grades')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('signup.email')}</Table.Th>
            <Table.Th>{t('grades.grade')}</Table.Th>
            <Table.Th>{t('grades.state')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {students.data.data.map((s) => {
            const current = gradeOf(s.id);
            const state = saving[s.id];
            return (
              <Table.Tr key={`${assignmentId}-${s.id}`}>
                <Table.Td>{s.email}</Table.Td>
                <Table.Td>
                  <TextInput
                    className="grade-input"
                    aria-label={t('grades.gradeOf', { email: s.email })}
                    inputMode="decimal"
                    defaultValue={current === undefined ? '' : String(current)}
                    onBlur={(e) => void onCell(s.id, e.currentTarget.value, current)}
                    onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" role="status" c={state && state !== 'saving' && state !== 'saved' ? 'red.9' : undefined}>
                    {state === 'saving'
                      ? t('grades.saving')
                      : state === 'saved'
                        ? t('grades.saved')
                        : (state ?? (current === undefined ? t('course.notGraded') : number(current)))}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <form onSubmit={onPaste}>
        <Stack gap="xs">
          <Textarea name="paste" label={t('grades.pasteLabel')} description={t('grades.pasteHint')} autosize minRows={3} required />
          <Group>
            <Button type="submit">{t('grades.pasteSave')}</Button>
          </Group>
        </Stack>
      </form>
      {pasteReport && (
        <Alert role="status" color={pasteReport.problems.length ? 'yellow' : 'green'} title={t('grades.pasteSaved', { count: pasteReport.saved })}>
          {pasteReport.problems.length > 0 && (
            <ul>
              {pasteReport.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}
    </Stack>
  );
}
