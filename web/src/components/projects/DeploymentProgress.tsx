import { Alert, Badge, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useDeploymentLog } from '../../api/deploy-log.ts';
import { running, type Deployment } from '../../api/deploy.ts';
import { useI18n } from '../../i18n/index.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { ErrorAlert, Loading } from '../states.tsx';

const STATE_COLOR: Record<string, string> = { live: 'green', failed: 'red', cancelled: 'gray', retired: 'gray' };

/** A deployment's state as a coloured badge. */
export function StateBadge({ state }: { state: Deployment['state'] }) {
  const { t } = useI18n();
  return (
    <Badge color={STATE_COLOR[state] ?? 'blue'} variant="light" c="dark" tt="none" style={{ flexShrink: 0 }} data-testid="deployment-state">
      {t(`deployState.${state}` as MessageKey)}
    </Badge>
  );
}

/** One deployment followed live: its state, progress (fetch 20 → build 40 → start 60 → health 80 → live 100), failure reason and log. */
export function DeploymentProgress({ deploymentId }: { deploymentId: string }) {
  const { t, dateTime } = useI18n();
  const { deployment: d, lines, error } = useDeploymentLog(deploymentId);
  const logRef = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = logRef.current;
    if (el && lines.length > 0) el.scrollTop = el.scrollHeight;
  }, [lines]);
  if (!d) return error ? <ErrorAlert error={error} /> : <Loading />;
  const active = running(d);
  return (
    <Stack gap="xs" data-testid="deployment">
      <Group justify="space-between" wrap="wrap">
        <Title order={4}>{t('deploy.followed', { date: dateTime(d.createdAt) })}</Title>
        <Group gap="xs">
          <StateBadge state={d.state} />
          {d.commitSha && <code>{d.commitSha.slice(0, 7)}</code>}
        </Group>
      </Group>
      <Progress
        value={d.progress}
        animated={active}
        color={d.state === 'failed' ? 'red' : d.state === 'live' || d.state === 'retired' ? 'green' : undefined}
        aria-label={t('deploy.progressOf', { state: t(`deployState.${d.state}` as MessageKey) })}
      />
      <Text size="sm" c="dimmed" aria-live="polite">
        {t('deploy.progressText', { progress: d.progress, state: t(`deployState.${d.state}` as MessageKey) })}
      </Text>
      {d.state === 'failed' && (
        <Alert color="red" title={t('deploy.failedTitle')} role="alert" data-testid="deploy-reason">
          {d.reason ?? t('deploy.failedNoReason')}
          <Text size="sm" mt="xs">
            {t('deploy.failedHint')}
          </Text>
        </Alert>
      )}
      <ErrorAlert error={error} />
      <Text size="sm" fw={500} id={`log-${d.id}`}>
        {t('deploy.log')}
      </Text>
      {lines.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t(active ? 'deploy.logWaiting' : 'deploy.logEmpty')}
        </Text>
      ) : (
        <pre
          ref={logRef}
          role="log"
          aria-labelledby={`log-${d.id}`}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must take focus so keyboard users can scroll it (axe scrollable-region-focusable)
          tabIndex={0}
          data-testid="deploy-log"
          style={{
            maxHeight: 320,
            overflow: 'auto',
            margin: 0,
            padding: 8,
            fontSize: 12,
            background: 'var(--mantine-color-gray-1)',
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-all',
          }}
        >
          {lines.map((l) => (
            <span key={l.seq} style={l.stream === 'stderr' ? { color: 'var(--mantine-color-red-9)' } : l.stream === 'system' ? { fontWeight: 600 } : undefined}>
              {`${l.line}\n`}
            </span>
          ))}
        </pre>
      )}
    </Stack>
  );
}
