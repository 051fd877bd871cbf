import { Alert, Button, Group, NativeSelect, Pagination, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { Paged, User } from '../api/types.ts';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';
import { parseEmails } from '../lib/paste.ts';

const PAGE_SIZE = 20;

function Promote() {
  const { t } = useI18n();
  const client = useQueryClient();
  const promote = useMutation({
    mutationFn: (emails: string[]) => api<{ promoted: string[]; unchanged: string[]; unknownEmails: string[] }>('/api/users/promote', { body: { emails } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    promote.mutate(parseEmails(String(new FormData(event.currentTarget).get('emails'))));
  };
  return (
    <Stack gap="xs">
      <form onSubmit={submit}>
        <Stack gap="xs">
          <Textarea name="emails" label={t('admin.promoteLabel')} description={t('course.enrolHint')} autosize minRows={2} required />
          <Group>
            <Button type="submit" loading={promote.isPending}>
              {t('admin.promote')}
            </Button>
          </Group>
        </Stack>
      </form>
      <ErrorAlert error={promote.error} />
      {promote.data && (
        <Alert
          role="status"
          color={promote.data.unknownEmails.length ? 'yellow' : 'green'}
          title={t('admin.promoted', { count: promote.data.promoted.length })}
        >
          {promote.data.unknownEmails.length > 0 && (
            <Text size="sm">
              {t('course.unknown')} {promote.data.unknownEmails.join(', ')}
            </Text>
          )}
        </Alert>
      )}
    </Stack>
  );
}

/** Admins: search users, change a role, make teachers from a pasted list. */
export function AdminUsersPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const users = useQuery({
    queryKey: ['users', q, page],
    queryFn: () => api<Paged<User>>(`/api/users?page=${page}&pageSize=${PAGE_SIZE}${q ? `&q=${encodeURIComponent(q)}` : ''}`),
  });
  const setRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: User['role'] }) => api(`/api/users/${id}/role`, { method: 'PATCH', body: { role } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <Stack>
      <Title order={2}>{t('admin.users')}</Title>
      <Promote />
      <TextInput
        type="search"
        label={t('admin.search')}
        value={q}
        onChange={(e) => {
          setQ(e.currentTarget.value);
          setPage(1);
        }}
        maw={360}
      />
      <ErrorAlert error={setRole.error} />
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <ErrorAlert error={users.error} />
      ) : users.data.data.length === 0 ? (
        <Empty>{t('admin.noUsers')}</Empty>
      ) : (
        <>
          <Table striped aria-label={t('admin.users')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('signup.username')}</Table.Th>
                <Table.Th>{t('signup.email')}</Table.Th>
                <Table.Th>{t('admin.role')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.data.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>{u.username}</Table.Td>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>
                    <NativeSelect
                      aria-label={t('admin.roleOf', { email: u.email })}
                      value={u.role}
                      onChange={(e) => setRole.mutate({ id: u.id, role: e.currentTarget.value as User['role'] })}
                      data={(['student', 'teacher', 'admin'] as const).map((r) => ({ value: r, label: t(`role.${r}`) }))}
                      size="xs"
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Pagination total={Math.ceil(users.data.total / PAGE_SIZE)} value={page} onChange={setPage} getControlProps={(c) => ({ 'aria-label': c })} />
        </>
      )}
    </Stack>
  );
}
