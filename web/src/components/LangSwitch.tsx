import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LANGS, setLang } from '../i18n';
import type { Lang } from '../lib/format';

export function LangSwitch({ size = 'xs' }: { size?: string }) {
  const { i18n, t } = useTranslation();
  return (
    <SegmentedControl
      size={size}
      aria-label={t('common.language')}
      data-testid="lang-switch"
      value={i18n.language === 'en' ? 'en' : 'zh-CN'}
      onChange={(v) => setLang(v as Lang)}
      data={LANGS.map((l) => ({ value: l.value, label: l.label }))}
    />
  );
}
