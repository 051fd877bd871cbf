import { Alert, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import type { MessageKey } from '../i18n/en.ts';

/** A spinner with a label for screen readers. */
export function Loading() {
  const { t } = useI18n();
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Loader aria-label={t('common.loading')} />
    </Center>
  );
}

/** An empty list: what it means and what to do. */
export function Empty({ children }: { children: ReactNode }) {
  return (
    <Stack py="lg" align="center">
      <Text c="dimmed" ta="center">
        {children}
      </Text>
    </Stack>
  );
}

const BY_STATUS: Record<number, MessageKey> = {
  401: 'error.401',
  403: 'error.403',
  404: 'error.404',
  409: 'error.409',
  413: 'error.413',
  422: 'error.422',
  429: 'error.429',
};

/** A human sentence for an API error: what happened and what to do. */
export function useErrorText(): (error: unknown) => string {
  const { t } = useI18n();
  return (error) => {
    if (!(error instanceof ApiError)) return t('error.network');
    if (error.code === 'invalid_credentials') return t('error.credentials');
    if (error.code === 'not_enrolled') return t('error.notEnrolled');
    const key = BY_STATUS[error.status];
    if (key === 'error.429') return t(key, { seconds: error.retryAfterSeconds ?? 60 });
    if (error.status === 400 && Array.isArray(error.details)) {
      const fields = (error.details as Array<{ field?: string; message?: string }>).map((d) => `${d.field}: ${d.message}`).join('; ');
      return t('error.400', { details: fields });
    }
    if (key) return `${t(key)} (${error.message})`;
    return t('error.server');
  };
}

/** An error message in an alert region, announced to screen readers. */
export function ErrorAlert({ error }: { error: unknown }) {
  const text = useErrorText();
  const { t } = useI18n();
  if (!error) return null;
  return (
    <Alert color="red" title={t('error.title')} role="alert">
      {text(error)}
    </Alert>
  );
}
