import { Alert, Stack, Tabs, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { SharingDefaultsTab } from '../components/SharingDefaults';
import { ApiKeysTab } from './admin/ApiKeysTab';
import { CustomFieldsTab } from './admin/CustomFieldsTab';
import { PipelinesTab } from './admin/PipelinesTab';
import { UsersTab } from './admin/UsersTab';

const TABS = ['users', 'fields', 'pipelines', 'sharing', 'keys'] as const;

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
      </Tabs>
    </Stack>
  );
}
