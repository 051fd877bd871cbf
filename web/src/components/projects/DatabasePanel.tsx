import { Button, CopyButton, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { onTeam, type Project, type ProjectDatabase } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Empty, ErrorAlert, Loading } from '../states.tsx';

const missing = (error: unknown) => error instanceof ApiError && error.status === 404;

/** The project's own PostgreSQL database: create it, read its names and (the team) its connection URL, drop it after repeating the slug. */
export function DatabasePanel({ project }: { project: Project }) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const key = ['project-db', project.id];
  const team = onTeam(project.viewer);
  const [shown, setShown] = useState(false);
  const db = useQuery({ queryKey: key, queryFn: () => api<ProjectDatabase>(`/api/projects/${project.id}/database`) });
  const create = useMutation({
    mutationFn: () => api<ProjectDatabase>(`/api/projects/${project.id}/database`, { method: 'POST' }),
    onSuccess: (d) => client.setQueryData(key, d),
  });
  const drop = useMutation({
    mutationFn: (confirm: string) => api(`/api/projects/${project.id}/database?confirm=${encodeURIComponent(confirm)}`, { method: 'DELETE' }),
    onSuccess: () => client.resetQueries({ queryKey: key }),
  });
  const submitDrop = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    drop.mutate(String(new FormData(event.currentTarget).get('confirm') ?? '').trim());
  };
  if (db.isPending) return <Loading />;
  if (db.isError && !missing(db.error)) return <ErrorAlert error={db.error} />;
  if (db.isError) {
    return (
      <Stack>
        <Empty>{t(team ? 'db.emptyCreate' : 'db.empty')}</Empty>
        {team && (
          <Group justify="center">
            <Button onClick={() => create.mutate()} loading={create.isPending}>
              {t('db.create')}
            </Button>
          </Group>
        )}
        <ErrorAlert error={create.error} />
      </Stack>
    );
  }
  const d = db.data;
  return (
    <Stack>
      <Table maw={640} aria-label={t('db.title')}>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">{t('db.name')}</Table.Th>
            <Table.Td>
              <code>{d.databaseName}</code>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">{t('db.role')}</Table.Th>
            <Table.Td>
              <code>{d.roleName}</code>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">{t('db.state')}</Table.Th>
            <Table.Td>{d.state}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">{t('db.created')}</Table.Th>
            <Table.Td>{dateTime(d.createdAt)}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {d.url && (
        <Group align="end" wrap="wrap">
          <TextInput label={t('db.url')} description={t('db.urlHint')} value={shown ? d.url : '•'.repeat(24)} readOnly style={{ flex: 1, minWidth: 240 }} />
          <Button variant="default" onClick={() => setShown((s) => !s)}>
            {t(shown ? 'db.hide' : 'db.show')}
          </Button>
          <CopyButton value={d.url}>
            {({ copied, copy }) => (
              <Button variant="light" onClick={copy}>
                {t(copied ? 'db.copied' : 'db.copy')}
              </Button>
            )}
          </CopyButton>
        </Group>
      )}
      {team && (
        <form onSubmit={submitDrop}>
          <Stack gap="xs" maw={480}>
            <Text size="sm">{t('db.dropAbout', { slug: project.slug })}</Text>
            <Group align="end" wrap="wrap">
              <TextInput name="confirm" label={t('db.confirm')} required autoComplete="off" spellCheck={false} />
              <Button type="submit" color="red" variant="light" loading={drop.isPending}>
                {t('db.drop')}
              </Button>
            </Group>
            <ErrorAlert error={drop.error} />
          </Stack>
        </form>
      )}
    </Stack>
  );
}
