import { Anchor, Badge, Group, Stack, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../api/client.ts';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ScrollTable } from '../components/ScrollTable.tsx';

interface ProcessRow {
  id: string;
  role: string;
  modules: string[];
  queues: string[];
  host: string;
  pid: number;
  startedAt: string;
  lastSeenAt: string;
  health: 'alive' | 'silent' | 'stopped';
}

const COLOR = { alive: 'green', silent: 'orange', stopped: 'gray' } as const;

/** Admins: the processes Aula has registered, their roles and health; a link to the queue dashboard. */
export function AdminProcessesPage() {
  const { t, dateTime } = useI18n();
  const processes = useQuery({ queryKey: ['processes'], queryFn: () => api<{ data: ProcessRow[] }>('/api/admin/processes'), refetchInterval: 15_000 });
  return (
    <Stack>
      <Title order={2}>{t('admin.processes')}</Title>
      <Group gap="md">
        <Anchor href="/admin/queues">{t('admin.queuesLink')}</Anchor>
        <Anchor component={Link} to="/admin/cluster">
          {t('cluster.link')}
        </Anchor>
      </Group>
      {processes.isPending ? (
        <Loading />
      ) : processes.isError ? (
        <ErrorAlert error={processes.error} />
      ) : processes.data.data.length === 0 ? (
        <Empty>{t('admin.noProcesses')}</Empty>
      ) : (
        <ScrollTable label={t('admin.processes')} minWidth={640}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('admin.health')}</Table.Th>
              <Table.Th>{t('admin.role')}</Table.Th>
              <Table.Th>{t('admin.host')}</Table.Th>
              <Table.Th>{t('admin.queues')}</Table.Th>
              <Table.Th>{t('admin.lastSeen')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {processes.data.data.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Badge color={COLOR[p.health]} variant="light" c="dark">
                    {t(`health.${p.health}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>{p.role}</Table.Td>
                <Table.Td>
                  {p.host}:{p.pid}
                </Table.Td>
                <Table.Td>{p.queues.length}</Table.Td>
                <Table.Td>{dateTime(p.lastSeenAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      )}
    </Stack>
  );
}
