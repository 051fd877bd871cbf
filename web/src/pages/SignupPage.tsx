import { Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { Link, Navigate, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ErrorAlert } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Create an account, then log in with it. */
export function SignupPage() {
  const { t } = useI18n();
  const { user, login } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (user) return <Navigate to="/videos" />;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/signup', { body: form });
      await login(form.username!, form.password!);
      await navigate({ to: '/videos' });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper maw={420} mx="auto" p="lg" withBorder>
      <form onSubmit={submit}>
        <Stack>
          <Title order={2}>{t('signup.title')}</Title>
          <ErrorAlert error={error} />
          <TextInput name="username" label={t('signup.username')} autoComplete="username" required />
          <TextInput name="email" type="email" label={t('signup.email')} autoComplete="email" required />
          <PasswordInput name="password" label={t('signup.password')} description={t('signup.passwordHint')} autoComplete="new-password" required />
          <PasswordInput name="password2" label={t('signup.password2')} autoComplete="new-password" required />
          <Button type="submit" loading={busy}>
            {t('signup.submit')}
          </Button>
          <Text size="sm">
            {t('signup.haveAccount')}{' '}
            <Anchor component={Link} to="/login">
              {t('signup.login')}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}
