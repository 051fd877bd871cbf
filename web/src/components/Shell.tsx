import { Anchor, AppShell, Burger, Button, Group, NativeSelect, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, useNavigate, useRouterState } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useSession } from '../auth/session.tsx';
import { useI18n, type Locale } from '../i18n/index.tsx';
import type { MessageKey } from '../i18n/en.ts';

interface NavItem {
  to: string;
  label: MessageKey;
  roles?: Array<'student' | 'teacher' | 'admin'>;
  external?: boolean;
}

const NAV: NavItem[] = [
  { to: '/videos', label: 'nav.videos' },
  { to: '/courses', label: 'nav.courses' },
  { to: '/projects', label: 'nav.projects' },
  { to: '/progress', label: 'nav.progress', roles: ['student'] },
  { to: '/subjects', label: 'nav.subjects', roles: ['teacher', 'admin'] },
  { to: '/admin/users', label: 'nav.users', roles: ['admin'] },
  { to: '/admin/processes', label: 'nav.processes', roles: ['admin'] },
  { to: '/admin/cluster', label: 'nav.cluster', roles: ['admin'] },
  { to: '/admin/queues', label: 'nav.queues', roles: ['admin'], external: true },
  { to: '/profile', label: 'nav.profile' },
];

/** The frame of every page: header with language and session, navigation by role, main landmark. */
export function Shell({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useI18n();
  const { user, logout } = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const items = user ? NAV.filter((item) => !item.roles || item.roles.includes(user.role)) : [];

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened, desktop: !user } }} padding="md">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            {user && <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.menu')} aria-expanded={opened} />}
            <Anchor component={Link} to="/" underline="never" c="inherit">
              <Title order={1} size="h3">
                Aula
              </Title>
            </Anchor>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <NativeSelect
              aria-label={t('nav.language')}
              size="xs"
              value={locale}
              onChange={(e) => setLocale(e.currentTarget.value as Locale)}
              data={[
                { value: 'en', label: 'English' },
                { value: 'es', label: 'Español' },
              ]}
            />
            {user && (
              <>
                <Text size="sm" visibleFrom="sm">
                  {user.username}
                </Text>
                <Button size="xs" variant="default" onClick={() => void logout().then(() => navigate({ to: '/login' }))}>
                  {t('nav.logout')}
                </Button>
              </>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      {user && (
        <AppShell.Navbar p="xs" aria-label={t('nav.main')}>
          {items.map((item) =>
            item.external ? (
              <NavLink key={item.to} href={item.to} label={t(item.label)} />
            ) : (
              <NavLink
                key={item.to}
                component={Link}
                to={item.to}
                label={t(item.label)}
                active={pathname.startsWith(item.to)}
                variant="filled"
                onClick={close}
              />
            ),
          )}
        </AppShell.Navbar>
      )}
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
