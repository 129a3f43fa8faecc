import { Alert, Stack, Tabs, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { SharingDefaultsTab } from '../components/SharingDefaults';
import { ApiKeysTab } from './admin/ApiKeysTab';
import { AppsTab } from './admin/AppsTab';
import { CustomFieldsTab } from './admin/CustomFieldsTab';
import { MappingsTab } from './admin/MappingsTab';
import { PipelinesTab } from './admin/PipelinesTab';
import { UsersTab } from './admin/UsersTab';
import { WebhooksTab } from './admin/WebhooksTab';

const TABS = ['users', 'fields', 'pipelines', 'sharing', 'keys', 'apps', 'webhooks', 'mappings'] as const;

export default function AdminPage() {
  const { t } = useTranslation();
  const { tab } = useParams();
  const navigate = useNavigate();
  const { can } = useAuth();
  const active = TABS.includes(tab as any) ? tab! : 'users';
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('admin.title')}
      </Title>
      {!can('settings:manage') && <Alert color="yellow">{t('admin.noAccess')}</Alert>}
      <Tabs value={active} onChange={(v) => navigate(`/admin/${v}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="users">{t('admin.users')}</Tabs.Tab>
          <Tabs.Tab value="fields">{t('admin.customFields')}</Tabs.Tab>
          <Tabs.Tab value="pipelines">{t('admin.pipelines')}</Tabs.Tab>
          {can('settings:manage') && <Tabs.Tab value="sharing">{t('sharing.tab')}</Tabs.Tab>}
          <Tabs.Tab value="keys">{t('admin.apiKeys')}</Tabs.Tab>
          {can('apps:manage') && <Tabs.Tab value="apps">{t('oauth.tab')}</Tabs.Tab>}
          {can('webhooks:manage') && <Tabs.Tab value="webhooks">{t('webhooks.tab')}</Tabs.Tab>}
          {can('mappings:manage') && <Tabs.Tab value="mappings">{t('mappings.tab')}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <UsersTab />
        </Tabs.Panel>
        <Tabs.Panel value="fields" pt="md">
          <CustomFieldsTab />
        </Tabs.Panel>
        <Tabs.Panel value="pipelines" pt="md">
          <PipelinesTab />
        </Tabs.Panel>
        <Tabs.Panel value="sharing" pt="md">
          <SharingDefaultsTab />
        </Tabs.Panel>
        <Tabs.Panel value="keys" pt="md">
          <ApiKeysTab />
        </Tabs.Panel>
        <Tabs.Panel value="apps" pt="md">
          <AppsTab />
        </Tabs.Panel>
        <Tabs.Panel value="webhooks" pt="md">
          <WebhooksTab />
        </Tabs.Panel>
        <Tabs.Panel value="mappings" pt="md">
          <MappingsTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
