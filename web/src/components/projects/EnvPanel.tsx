import { Button, Group, NativeSelect, PasswordInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { onTeam, type EnvVar, type Project } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Empty, ErrorAlert, Loading } from '../states.tsx';
import { ScrollTable } from '../ScrollTable.tsx';

/** Environment variables: names, scopes and masked hints (values never come back); the team sets or removes one key at a time. */
export function EnvPanel({ project }: { project: Project }) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const key = ['project-env', project.id];
  const writes = onTeam(project.viewer);
  const vars = useQuery({ queryKey: key, queryFn: () => api<{ data: EnvVar[] }>(`/api/projects/${project.id}/env`) });
  const done = () => client.invalidateQueries({ queryKey: key });
  const put = useMutation({
    mutationFn: ({ name, value, scope }: { name: string; value: string; scope: string }) =>
      api<EnvVar>(`/api/projects/${project.id}/env/${encodeURIComponent(name)}`, { method: 'PUT', body: { value, scope } }),
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: (name: string) => api(`/api/projects/${project.id}/env/${encodeURIComponent(name)}`, { method: 'DELETE' }),
    onSuccess: done,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const target = event.currentTarget;
    const form = new FormData(target);
    put.mutate(
      { name: String(form.get('key')).trim(), value: String(form.get('value') ?? ''), scope: String(form.get('scope')) },
      { onSuccess: () => target.reset() },
    );
  };
  return (
    <Stack>
      <Text size="sm">{t('env.about')}</Text>
      {writes && (
        <form onSubmit={submit}>
          <Stack gap="xs">
            <Group align="end" wrap="wrap">
              <TextInput
                name="key"
                label={t('env.key')}
                description={t('env.keyHint')}
                required
                maxLength={200}
                autoCapitalize="characters"
                spellCheck={false}
                style={{ minWidth: 180 }}
              />
              <PasswordInput name="value" label={t('env.value')} description={t('env.valueHint')} autoComplete="off" style={{ flex: 1, minWidth: 200 }} />
              <NativeSelect
                name="scope"
                label={t('env.scope')}
                data={[
                  { value: 'runtime', label: t('env.runtime') },
                  { value: 'build', label: t('env.build') },
                ]}
              />
              <Button type="submit" loading={put.isPending}>
                {t('env.set')}
              </Button>
            </Group>
            <ErrorAlert error={put.error} />
          </Stack>
        </form>
      )}
      <ErrorAlert error={remove.error} />
      {vars.isPending ? (
        <Loading />
      ) : vars.isError ? (
        <ErrorAlert error={vars.error} />
      ) : vars.data.data.length === 0 ? (
        <Empty>{t(writes ? 'env.emptyEdit' : 'env.empty')}</Empty>
      ) : (
        <ScrollTable label={t('env.title')} minWidth={480}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('env.key')}</Table.Th>
              <Table.Th>{t('env.scope')}</Table.Th>
              <Table.Th>{t('env.hint')}</Table.Th>
              <Table.Th>{t('env.updated')}</Table.Th>
              {writes && <Table.Th>{t('team.actions')}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {vars.data.data.map((v) => (
              <Table.Tr key={v.key}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <code>{v.key}</code>
                </Table.Td>
                <Table.Td>{t(v.scope === 'build' ? 'env.build' : 'env.runtime')}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <code>{v.hint}</code>
                </Table.Td>
                <Table.Td>{dateTime(v.updatedAt)}</Table.Td>
                {writes && (
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      onClick={() => remove.mutate(v.key)}
                      loading={remove.isPending && remove.variables === v.key}
                      aria-label={t('env.deleteOf', { key: v.key })}
                    >
                      {t('env.delete')}
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      )}
    </Stack>
  );
}
