import { Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { Link, Navigate, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { useSession } from '../auth/session.tsx';
import { ErrorAlert } from '../components/states.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Log in with a username or e-mail and a password. */
export function LoginPage() {
  const { t } = useI18n();
  const { user, login } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (user) return <Navigate to="/videos" />;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await login(String(form.get('login')), String(form.get('password')));
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
          <Title order={2}>{t('login.title')}</Title>
          <ErrorAlert error={error} />
          <TextInput name="login" label={t('login.login')} autoComplete="username" required />
          <PasswordInput name="password" label={t('login.password')} autoComplete="current-password" required />
          <Button type="submit" loading={busy}>
            {t('login.submit')}
          </Button>
          <Text size="sm">
            {t('login.noAccount')}{' '}
            <Anchor component={Link} to="/signup">
              {t('login.signup')}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}
