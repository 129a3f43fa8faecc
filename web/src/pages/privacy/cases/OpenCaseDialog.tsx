import { Button, Checkbox, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { RecordSelect } from '../../../components/inputs';
import { api } from '../../../lib/api';
import { GeneralErrors, useFormErrors } from '../../admin/admin-shared';
import {
  CASE_KINDS,
  type CaseKind,
  type CaseSettings,
  caseKeys,
  type PrivacyCase,
  RECTIFIABLE_FIELDS,
  type Regime,
  STAFF_CHANNELS,
} from './cases-lib';

const FIELDS = ['contact_id', 'kind', 'channel', 'regime', 'received_at', 'details', 'payload'];
const LIST_FIELDS = new Set(['emails', 'phones']);

/** Today in Beijing as YYYY-MM-DD (the default receipt day). */
function todayInShanghai(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

/**
 * Staff record a request a person made by phone, letter, email or in person: who, what, how it
 * came in, when it was received (the clock starts then), and whether their identity is checked.
 */
export function OpenCaseDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const phone = useMediaQuery('(max-width: 36em)');
  const settings = useQuery({
    queryKey: caseKeys.settings,
    queryFn: () => api<CaseSettings>('/privacy/calendar'),
    staleTime: 5 * 60_000,
  });
  const [contactId, setContactId] = useState<string | null>(null);
  const [kind, setKind] = useState<CaseKind>('access');
  const [channel, setChannel] = useState<string>('phone');
  const [regime, setRegime] = useState<Regime | null>(null);
  const [received, setReceived] = useState(todayInShanghai());
  const [details, setDetails] = useState('');
  const [verified, setVerified] = useState(false);
  const [field, setField] = useState<string | null>(null);
  const [value, setValue] = useState('');
  const fe = useFormErrors(FIELDS);

  const reset = () => {
    setContactId(null);
    setKind('access');
    setChannel('phone');
    setRegime(null);
    setReceived(todayInShanghai());
    setDetails('');
    setVerified(false);
    setField(null);
    setValue('');
    fe.clear();
  };
  const close = () => {
    reset();
    onClose();
  };

  const create = useMutation({
    mutationFn: () => {
      const payload =
        kind === 'rectification' && field
          ? {
              field,
              value: LIST_FIELDS.has(field)
                ? value
                    .split('\n')
                    .map((s) => s.trim())
                    .filter(Boolean)
                : value.trim(),
            }
          : undefined;
      const today = todayInShanghai();
      return api<PrivacyCase>('/privacy/cases', {
        method: 'POST',
        body: {
          kind,
          contact_id: contactId ?? '',
          channel,
          regime: regime ?? undefined,
          details: details.trim() || undefined,
          payload,
          identity_verified: verified,
          // Today: now (the clock starts at this moment); an earlier day: that morning in Beijing.
          received_at: received && received !== today ? `${received}T09:00:00+08:00` : undefined,
        },
      });
    },
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: caseKeys.all });
      close();
      navigate(`/privacy/cases/${c.id}`);
    },
    onError: fe.fromError,
  });

  const defaultRegime = settings.data?.default_regime ?? 'pipl';
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={t('privacy.dialogTitle')}
      size="lg"
      fullScreen={phone}
      data-testid="open-case-dialog"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="sm">
          <GeneralErrors list={fe.general} />
          <RecordSelect
            entity="contacts"
            name="contact_id"
            label={t('privacy.fPerson')}
            value={contactId}
            onChange={(v) => setContactId(typeof v === 'string' ? v : null)}
            error={fe.errors.contact_id}
            required
          />
          <Group grow wrap="wrap" align="flex-start">
            <Select
              label={t('privacy.fKind')}
              name="kind"
              data-field="kind"
              value={kind}
              onChange={(v) => v && setKind(v as CaseKind)}
              data={CASE_KINDS.map((k) => ({ value: k, label: t(`privacy.kind_${k}`) }))}
              allowDeselect={false}
              error={fe.errors.kind}
              miw={180}
            />
            <Select
              label={t('privacy.fChannel')}
              name="channel"
              data-field="channel"
              value={channel}
              onChange={(v) => v && setChannel(v)}
              data={STAFF_CHANNELS.map((c) => ({ value: c, label: t(`privacy.channel_${c}`) }))}
              allowDeselect={false}
              error={fe.errors.channel}
              miw={160}
            />
          </Group>
          <Group grow wrap="wrap" align="flex-start">
            <Select
              label={t('privacy.fRegime')}
              name="regime"
              data-field="regime"
              value={regime ?? defaultRegime}
              onChange={(v) => setRegime(v === 'gdpr' || v === 'pipl' ? v : null)}
              data={[
                { value: 'pipl', label: t('privacy.regime_pipl') },
                { value: 'gdpr', label: t('privacy.regime_gdpr') },
              ]}
              allowDeselect={false}
              error={fe.errors.regime}
              miw={160}
            />
            <TextInput
              type="date"
              label={t('privacy.fReceived')}
              description={t('privacy.fReceivedHint')}
              name="received_at"
              data-field="received_at"
              value={received}
              max={todayInShanghai()}
              onChange={(e) => setReceived(e.currentTarget.value)}
              error={fe.errors.received_at}
              miw={160}
            />
          </Group>
          {kind === 'rectification' && (
            <Group grow wrap="wrap" align="flex-start">
              <Select
                label={t('privacy.fField')}
                name="field"
                data-field="payload"
                value={field}
                onChange={setField}
                clearable
                data={RECTIFIABLE_FIELDS.map((f) => ({ value: f, label: t(`privacy.field_${f}`) }))}
                error={fe.errors.payload}
                miw={160}
              />
              {field && LIST_FIELDS.has(field) ? (
                <Textarea
                  label={t('privacy.fValue')}
                  description={t('privacy.fValueListHint')}
                  value={value}
                  onChange={(e) => setValue(e.currentTarget.value)}
                  autosize
                  minRows={2}
                  miw={200}
                />
              ) : (
                <TextInput
                  label={t('privacy.fValue')}
                  value={value}
                  onChange={(e) => setValue(e.currentTarget.value)}
                  disabled={!field}
                  miw={200}
                />
              )}
            </Group>
          )}
          <Textarea
            label={t('privacy.fDetails')}
            name="details"
            data-field="details"
            value={details}
            onChange={(e) => setDetails(e.currentTarget.value)}
            autosize
            minRows={3}
            maxLength={5000}
            error={fe.errors.details}
          />
          <Checkbox
            label={t('privacy.fVerified')}
            checked={verified}
            onChange={(e) => setVerified(e.currentTarget.checked)}
            data-testid="open-case-verified"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('privacy.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="open-case-submit">
              {t('privacy.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
