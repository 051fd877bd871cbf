import { Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { Subject } from '../api/types.ts';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Subjects (teachers and admins): list and add. */
export function SubjectsPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  const subjects = useQuery({ queryKey: ['subjects'], queryFn: () => api<{ data: Subject[] }>('/api/subjects') });
  const add = useMutation({
    mutationFn: (body: Subject) => api('/api/subjects', { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['subjects'] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    add.mutate({ code: String(form.get('code')), name: String(form.get('name')) }, { onSuccess: () => (event.target as HTMLFormElement).reset() });
  };
  const list = subjects.data?.data ?? [];
  return (
    <Stack>
      <Title order={2}>{t('subjects.title')}</Title>
      <form onSubmit={submit}>
        <Group align="end" wrap="wrap">
          <TextInput name="code" label={t('subjects.code')} required />
          <TextInput name="name" label={t('subjects.name')} required />
          <Button type="submit" loading={add.isPending}>
            {t('subjects.add')}
          </Button>
        </Group>
      </form>
      <ErrorAlert error={add.error} />
      {subjects.isPending ? (
        <Loading />
      ) : subjects.isError ? (
        <ErrorAlert error={subjects.error} />
      ) : list.length === 0 ? (
        <Empty>{t('subjects.empty')}</Empty>
      ) : (
        <Table striped aria-label={t('subjects.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('subjects.code')}</Table.Th>
              <Table.Th>{t('subjects.name')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((s) => (
              <Table.Tr key={s.code}>
                <Table.Td>{s.code}</Table.Td>
                <Table.Td>{s.name}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
