import { Stack, Tabs, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { CasesTab } from './privacy/CasesTab';
import { DashboardTab } from './privacy/DashboardTab';
import { NoticesTab } from './privacy/NoticesTab';
import { ProcessingTab } from './privacy/ProcessingTab';

const TABS = ['cases', 'dashboard', 'notices', 'processing'] as const;
type Tab = (typeof TABS)[number];
const isTab = (v: string | undefined): v is Tab => TABS.some((t) => t === v);

/** Data protection for staff: privacy requests (cases), consent dashboard, notices, processing record. */
export default function PrivacyPage() {
  const { t } = useTranslation();
  const { tab } = useParams();
  const navigate = useNavigate();
  const active: Tab = isTab(tab) ? tab : 'cases';
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('nav2.privacySection')}
      </Title>
      <Tabs value={active} onChange={(v) => navigate(`/privacy/${v ?? 'cases'}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="cases">{t('privacy.tabCases')}</Tabs.Tab>
          <Tabs.Tab value="dashboard">{t('consent.tabDashboard')}</Tabs.Tab>
          <Tabs.Tab value="notices">{t('consent.tabNotices')}</Tabs.Tab>
          <Tabs.Tab value="processing">{t('consent.tabProcessing')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="cases" pt="md">
          <CasesTab />
        </Tabs.Panel>
        <Tabs.Panel value="dashboard" pt="md">
          <DashboardTab />
        </Tabs.Panel>
        <Tabs.Panel value="notices" pt="md">
          <NoticesTab />
        </Tabs.Panel>
        <Tabs.Panel value="processing" pt="md">
          <ProcessingTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
