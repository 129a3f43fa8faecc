import {
  Button,
  Drawer,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState, Loading } from '../../../components/States';
import { api } from '../../../lib/api';
import { GeneralErrors, useFormErrors } from '../../admin/admin-shared';
import { caseKeys, type Regime } from './cases-lib';

interface Settings {
  default_regime: Regime;
  pipl_working_days: number;
  time_zone: string;
  work_start: string;
  work_end: string;
  lunch: { start: string; end: string } | null;
  extra_holidays: string[];
  extra_working_days: string[];
  updated_at: string | null;
}

const FIELDS = [
  'default_regime',
  'pipl_working_days',
  'work_start',
  'work_end',
  'lunch',
  'extra_holidays',
  'extra_working_days',
];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The tenant's case deadlines (privacy managers): the default law, the PIPL period in working days,
 * working hours and lunch break, and days the Chinese calendar does not know yet (extra holidays,
 * extra working days — e.g. next year's 调休 before it is published).
 */
export function CalendarSettingsDrawer({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const phone = useMediaQuery('(max-width: 36em)');
  const q = useQuery({
    queryKey: caseKeys.settings,
    queryFn: () => api<Settings>('/privacy/calendar'),
    enabled: opened,
  });
  const [form, setForm] = useState<Settings | null>(null);
  const fe = useFormErrors(FIELDS);
  useEffect(() => {
    if (opened && q.data) setForm(q.data);
  }, [opened, q.data]);
  const save = useMutation({
    mutationFn: (s: Settings) =>
      api<Settings>('/privacy/calendar', {
        method: 'PUT',
        body: {
          default_regime: s.default_regime,
          pipl_working_days: s.pipl_working_days,
          time_zone: s.time_zone,
          work_start: s.work_start,
          work_end: s.work_end,
          lunch: s.lunch,
          extra_holidays: s.extra_holidays,
          extra_working_days: s.extra_working_days,
        },
      }),
    onSuccess: (saved) => {
      qc.setQueryData(caseKeys.settings, saved);
      void qc.invalidateQueries({ queryKey: caseKeys.all });
      fe.clear();
      notifications.show({ color: 'green', message: t('privacy.done') });
      onClose();
    },
    onError: fe.fromError,
  });
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setForm((f) => (f ? { ...f, [k]: v } : f));
  const days = (list: string[]) => list.map((d) => d.trim()).filter((d) => DAY.test(d));

  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size={phone ? '100%' : 'md'}
      title={t('privacy.calTitle')}
      data-testid="calendar-settings"
    >
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : form ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(form);
          }}
        >
          <Stack gap="sm">
            <Text fz="sm" c="dimmed">
              {t('privacy.calIntro')}
            </Text>
            <GeneralErrors list={fe.general} />
            <Stack gap={4}>
              <Text fz="sm" fw={500}>
                {t('privacy.calRegime')}
              </Text>
              <SegmentedControl
                value={form.default_regime}
                onChange={(v) => set('default_regime', v === 'gdpr' ? 'gdpr' : 'pipl')}
                data={[
                  { value: 'pipl', label: t('privacy.regime_pipl') },
                  { value: 'gdpr', label: t('privacy.regime_gdpr') },
                ]}
              />
            </Stack>
            <NumberInput
              label={t('privacy.calPiplDays')}
              description={t('privacy.calPiplDaysHint')}
              name="pipl_working_days"
              value={form.pipl_working_days}
              onChange={(v) => set('pipl_working_days', typeof v === 'number' ? v : Number(v) || 1)}
              min={1}
              max={60}
              allowDecimal={false}
              error={fe.errors.pipl_working_days}
            />
            <Group grow>
              <TextInput
                type="time"
                label={t('privacy.calWorkStart')}
                name="work_start"
                value={form.work_start}
                onChange={(e) => set('work_start', e.currentTarget.value)}
                error={fe.errors.work_start}
              />
              <TextInput
                type="time"
                label={t('privacy.calWorkEnd')}
                name="work_end"
                value={form.work_end}
                onChange={(e) => set('work_end', e.currentTarget.value)}
                error={fe.errors.work_end}
              />
            </Group>
            <Switch
              label={t('privacy.calLunch')}
              checked={form.lunch !== null}
              onChange={(e) =>
                set('lunch', e.currentTarget.checked ? { start: '12:00', end: '13:00' } : null)
              }
            />
            {form.lunch && (
              <Group grow>
                <TextInput
                  type="time"
                  label={t('privacy.calLunchStart')}
                  value={form.lunch.start}
                  onChange={(e) =>
                    set('lunch', { start: e.currentTarget.value, end: form.lunch?.end ?? '13:00' })
                  }
                  error={fe.errors.lunch}
                />
                <TextInput
                  type="time"
                  label={t('privacy.calLunchEnd')}
                  value={form.lunch.end}
                  onChange={(e) =>
                    set('lunch', { start: form.lunch?.start ?? '12:00', end: e.currentTarget.value })
                  }
                />
              </Group>
            )}
            <TagsInput
              label={t('privacy.calHolidays')}
              description={t('privacy.calDaysHint')}
              value={form.extra_holidays}
              onChange={(v) => set('extra_holidays', days(v))}
              placeholder="2027-02-10"
              clearable
              error={fe.errors.extra_holidays}
              data-testid="calendar-holidays"
            />
            <TagsInput
              label={t('privacy.calWorkingDays')}
              description={t('privacy.calDaysHint')}
              value={form.extra_working_days}
              onChange={(v) => set('extra_working_days', days(v))}
              placeholder="2027-02-07"
              clearable
              error={fe.errors.extra_working_days}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('privacy.cancel')}
              </Button>
              <Button type="submit" loading={save.isPending} data-testid="calendar-save">
                {t('privacy.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
    </Drawer>
  );
}
