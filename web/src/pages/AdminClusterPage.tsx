import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../api/client.ts';
import { Empty, ErrorAlert, Loading } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ScrollTable } from '../components/ScrollTable.tsx';

interface Instance {
  name: string;
  role: 'api' | 'worker';
  pid: number | null;
  port: number | null;
  state: string;
  lastPingAt: string | null;
  restarts: number;
  detections: number;
  lastDetectionMs: number | null;
}

interface ClusterView {
  cluster: boolean;
  startedAt?: string;
  instances: Instance[];
}

const STATE_COLOR: Record<string, string> = {
  ready: 'green',
  starting: 'blue',
  restarting: 'blue',
  draining: 'gray',
  stopped: 'gray',
  unresponsive: 'orange',
  'crash-loop': 'red',
};
const KNOWN_STATES = new Set(Object.keys(STATE_COLOR));

/** Admins: the instances `aula cluster` runs (state, last ping, restarts), refreshed every few seconds; says so when Aula runs without it. */
export function AdminClusterPage() {
  const { t, dateTime, number, intlLocale } = useI18n();
  const time = new Intl.DateTimeFormat(intlLocale, { timeStyle: 'medium' });
  const cluster = useQuery({ queryKey: ['cluster'], queryFn: () => api<ClusterView>('/api/admin/cluster'), refetchInterval: 5_000 });
  const stateText = (state: string) => (KNOWN_STATES.has(state) ? t(`clusterState.${state}` as Parameters<typeof t>[0]) : state);
  return (
    <Stack>
      <Title order={2}>{t('cluster.title')}</Title>
      <Anchor component={Link} to="/admin/processes">
        {t('cluster.processesLink')}
      </Anchor>
      {cluster.isPending ? (
        <Loading />
      ) : cluster.isError ? (
        <ErrorAlert error={cluster.error} />
      ) : !cluster.data.cluster ? (
        <Empty>
          {t('cluster.notCluster')} <code>aula cluster --api 2 --workers 1</code>
        </Empty>
      ) : cluster.data.instances.length === 0 ? (
        <Empty>{t('cluster.noInstances')}</Empty>
      ) : (
        <>
          {cluster.data.startedAt && <Text size="sm">{t('cluster.since', { date: dateTime(cluster.data.startedAt) })}</Text>}
          <ScrollTable label={t('cluster.instances')} minWidth={640}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('cluster.instance')}</Table.Th>
                <Table.Th>{t('admin.role')}</Table.Th>
                <Table.Th>{t('cluster.state')}</Table.Th>
                <Table.Th>{t('cluster.lastPing')}</Table.Th>
                <Table.Th>{t('cluster.restarts')}</Table.Th>
                <Table.Th>{t('cluster.detections')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {cluster.data.instances.map((i) => (
                <Table.Tr key={i.name}>
                  <Table.Td>
                    {i.name}
                    {i.pid !== null && (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        (pid {i.pid}
                        {i.port !== null ? `, :${i.port}` : ''})
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{i.role}</Table.Td>
                  <Table.Td>
                    <Badge color={STATE_COLOR[i.state] ?? 'gray'} variant="light" c="dark">
                      {stateText(i.state)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{i.lastPingAt ? time.format(new Date(i.lastPingAt)) : t(i.role === 'worker' ? 'cluster.notPinged' : 'cluster.never')}</Table.Td>
                  <Table.Td>{number(i.restarts, 0)}</Table.Td>
                  <Table.Td>
                    {number(i.detections, 0)}
                    {i.lastDetectionMs !== null && ` (${t('cluster.detectedIn', { ms: number(i.lastDetectionMs, 0) })})`}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
        </>
      )}
    </Stack>
  );
}
