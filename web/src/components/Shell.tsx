import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  Kbd,
  Menu,
  NavLink,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure, useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink as RouterLink, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth/auth';
import { ChangePasswordModal } from './ChangePasswordModal';
import { LangSwitch } from './LangSwitch';
import { SearchModal } from './SearchModal';

interface NavItem {
  to: string;
  key: string;
  icon: string;
  permission?: string;
  end?: boolean;
  /** heading shown above the first visible item of a section */
  section?: string;
}
const NAV: NavItem[] = [
  { to: '/', key: 'nav.home', icon: '⌂', end: true },
  { to: '/accounts', key: 'nav.accounts', icon: '▤' },
  { to: '/contacts', key: 'nav.contacts', icon: '☺' },
  { to: '/opportunities/board', key: 'nav.board', icon: '▦' },
  { to: '/opportunities', key: 'nav.opportunities', icon: '¥', end: true },
  { to: '/activities', key: 'nav.activities', icon: '✓' },
  {
    to: '/inbox',
    key: 'nav2.inbox',
    icon: '⚑',
    permission: 'interventions:read',
    section: 'nav2.intelligence',
  },
  { to: '/brief', key: 'nav2.brief', icon: '☰', permission: 'interventions:read' },
  { to: '/sign-off', key: 'nav2.signOff', icon: '✍', permission: 'interventions:sign_off' },
  { to: '/forecast', key: 'nav2.forecast', icon: '↗', permission: 'predict:read' },
  { to: '/models', key: 'nav2.models', icon: '◎', permission: 'predict:manage' },
  {
    to: '/signals/review',
    key: 'nav2.review',
    icon: '?',
    permission: 'signals:write',
    section: 'nav2.signals',
  },
  { to: '/signals/sources', key: 'nav2.sources', icon: '▥', permission: 'signals:manage' },
  { to: '/rules', key: 'nav2.rules', icon: '⚖', permission: 'signals:manage' },
  {
    to: '/privacy',
    key: 'nav2.privacy',
    icon: '⛨',
    permission: 'privacy:read',
    section: 'nav2.privacySection',
  },
  { to: '/import', key: 'nav.import', icon: '⇪', permission: 'crm:import', section: 'nav.admin' },
  { to: '/admin', key: 'nav.admin', icon: '⚙', permission: 'settings:manage' },
];

/** Items inherit the section of the item above; the first visible item of a section carries its heading. */
function withSections(
  items: NavItem[],
  visible: (n: NavItem) => boolean,
): { item: NavItem; heading?: string }[] {
  let current: string | undefined;
  let shown: string | undefined;
  const out: { item: NavItem; heading?: string }[] = [];
  for (const item of items) {
    if (item.section) current = item.section;
    if (!visible(item)) continue;
    const heading = current && current !== shown ? current : undefined;
    if (heading) shown = heading;
    out.push({ item, heading });
  }
  return out;
}

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { me, can, logout } = useAuth();
  const [navOpen, nav] = useDisclosure(false);
  const [searchOpen, search] = useDisclosure(false);
  const [passwordOpen, password] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  useHotkeys([
    ['mod+K', () => search.open()],
    ['/', () => search.open()],
  ]);

  const isActive = (item: NavItem) =>
    item.end
      ? location.pathname === item.to
      : location.pathname === item.to || location.pathname.startsWith(`${item.to}/`);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      padding="md"
    >
      <a href="#main" className="zs-skip">
        {t('app.skip')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navOpen}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={t('nav.menu')}
            />
            <Text
              fw={800}
              c="indigo"
              fz="lg"
              component={RouterLink}
              to="/"
              style={{ textDecoration: 'none' }}
            >
              {t('app.name')}
            </Text>
            <Button
              variant="default"
              size="xs"
              onClick={search.open}
              aria-keyshortcuts="Control+K Meta+K"
              data-testid="open-search"
              rightSection={
                <Kbd size="xs" className="zs-hide-mobile">
                  Ctrl K
                </Kbd>
              }
            >
              {t('nav.search')}
            </Button>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <div className="zs-hide-mobile">
              <LangSwitch />
            </div>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label={t('auth.profile', { name: me?.name })} data-testid="user-menu">
                  <Stack gap={0} align="flex-end">
                    <Text fz="sm" fw={600} lh={1.2} data-testid="user-name">
                      {me?.name}
                    </Text>
                    <Group gap={4} wrap="nowrap">
                      <Badge size="xs" variant="light">
                        {t(`roles.${me?.role}`, { defaultValue: me?.role })}
                      </Badge>
                      <Text
                        fz="xs"
                        c="dimmed"
                        className="zs-hide-mobile"
                        data-testid="tenant-name"
                        translate="no"
                      >
                        {me?.tenant_name}
                      </Text>
                    </Group>
                  </Stack>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{me?.email}</Menu.Label>
                <Menu.Label>{me?.tenant_name}</Menu.Label>
                <div style={{ padding: 6 }}>
                  <LangSwitch />
                </div>
                <Menu.Divider />
                {me?.actor_type === 'user' && (
                  <Menu.Item data-testid="change-password" onClick={password.open}>
                    {t('password.menu')}
                  </Menu.Item>
                )}
                <Menu.Item
                  data-testid="logout"
                  onClick={async () => {
                    await logout();
                    notifications.show({ message: t('auth.loggedOut') });
                    navigate('/login');
                  }}
                >
                  {t('auth.logout')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.menu')} style={{ overflowY: 'auto' }}>
        <nav>
          {withSections(NAV, (n) => !n.permission || can(n.permission)).map(({ item: n, heading }) => (
            <Fragment key={n.to}>
              {heading && (
                <Text fz={11} fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={2} role="presentation">
                  {t(heading)}
                </Text>
              )}
              <NavLink
                key={n.to}
                component={RouterLink}
                to={n.to}
                end={n.end}
                label={t(n.key)}
                leftSection={<span aria-hidden>{n.icon}</span>}
                active={isActive(n)}
                onClick={nav.close}
              />
            </Fragment>
          ))}
        </nav>
      </AppShell.Navbar>
      <AppShell.Main id="main">{children}</AppShell.Main>
      <SearchModal opened={searchOpen} onClose={search.close} />
      <ChangePasswordModal opened={passwordOpen} onClose={password.close} />
    </AppShell>
  );
}
