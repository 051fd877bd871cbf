import { Badge, Button, Group, Paper, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { User } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { ErrorAlert } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

/** The caller's account: change username and e-mail. */
export function ProfilePage() {
  const { t } = useI18n();
  const { user, setUser } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!user) return null;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget)) as { username: string; email: string };
    const changes = Object.fromEntries(Object.entries(form).filter(([k, v]) => v !== user[k as keyof User]));
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      if (Object.keys(changes).length > 0) setUser(await api<User>('/api/auth/me', { method: 'PATCH', body: changes }));
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper maw={480} p="lg" withBorder>
      <form onSubmit={submit}>
        <Stack>
          <Group justify="space-between">
            <Title order={2}>{t('profile.title')}</Title>
            <Badge>{t(`role.${user.role}`)}</Badge>
          </Group>
          <ErrorAlert error={error} />
          {saved && <div role="status">{t('profile.saved')}</div>}
          <TextInput name="username" label={t('signup.username')} defaultValue={user.username} required />
          <TextInput name="email" type="email" label={t('signup.email')} defaultValue={user.email} required />
          <Button type="submit" loading={busy}>
            {t('common.save')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
