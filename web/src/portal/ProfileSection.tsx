import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../lib/problem';
import { isoDay, lineageWords } from './lineage-words';
import { errorText, type ProfileField, portalApi, portalKeys } from './portal-api';
import { pick, QueryState, Section, showValue } from './Section';

type Editing = {
  key: string;
  label: { en: string; zh: string };
  policy: 'direct' | 'request';
  value: unknown;
};

/** 我的资料: each field, where its value came from, and 更正 (direct or as a request). */
export function ProfileSection() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useQuery({
    queryKey: portalKeys.profile,
    queryFn: () => portalApi<{ items: ProfileField[] }>('/me/profile'),
  });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const display = (f: ProfileField) =>
    f.key === 'preferred_language' && typeof f.value === 'string'
      ? t(`portal.profile.languages.${f.value}`, { defaultValue: f.value })
      : showValue(f.value, lang);
  return (
    <Section id="profile" title={t('portal.profile.heading')} intro={t('portal.profile.intro')}>
      {done && (
        <Alert
          color="teal"
          onClose={() => setDone(null)}
          withCloseButton
          data-testid="portal-correction-done"
        >
          {done}
        </Alert>
      )}
      <QueryState query={q}>
        {() => (
          <Stack gap={0}>
            {(q.data?.items ?? []).map((f) => (
              <Group
                key={f.key}
                justify="space-between"
                align="flex-start"
                wrap="nowrap"
                py="sm"
                style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}
                data-testid={`portal-field-${f.key}`}
              >
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Text fz="xs" c="dimmed">
                    {pick(f.label, lang)}
                  </Text>
                  <Text
                    fw={500}
                    style={{ wordBreak: 'break-word' }}
                    c={f.value == null ? 'dimmed' : undefined}
                  >
                    {f.value == null || (Array.isArray(f.value) && f.value.length === 0)
                      ? t('portal.profile.empty')
                      : display(f)}
                  </Text>
                  {f.value != null && (
                    <Text fz="xs" c="dimmed" data-testid="portal-lineage">
                      {lineageWords(f.lineage, t, lang)}
                    </Text>
                  )}
                </Stack>
                <Button
                  variant="light"
                  size="compact-sm"
                  onClick={() => setEditing(f)}
                  data-testid={`portal-correct-${f.key}`}
                  style={{ flexShrink: 0 }}
                >
                  {t('portal.profile.correct')}
                </Button>
              </Group>
            ))}
            <Group py="sm" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
              <Button
                variant="subtle"
                size="compact-sm"
                px={0}
                onClick={() =>
                  setEditing({
                    key: 'other',
                    label: { en: 'Something else', zh: '其他信息' },
                    policy: 'request',
                    value: '',
                  })
                }
                data-testid="portal-correct-other"
              >
                {t('portal.profile.other')}
              </Button>
            </Group>
          </Stack>
        )}
      </QueryState>
      {editing && (
        <CorrectionModal
          field={editing}
          onClose={() => setEditing(null)}
          onDone={(msg) => {
            setEditing(null);
            setDone(msg);
          }}
        />
      )}
    </Section>
  );
}

function CorrectionModal({
  field,
  onClose,
  onDone,
}: {
  field: Editing;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const mobile = useMediaQuery('(max-width: 40em)');
  const initial =
    field.key === 'other'
      ? ''
      : Array.isArray(field.value)
        ? field.value.join(', ')
        : field.value == null
          ? ''
          : String(field.value);
  const [value, setValue] = useState(field.key === 'preferred_language' && !initial ? lang : initial);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = field.key === 'other' ? t('portal.profile.other') : pick(field.label, lang);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFieldError(null);
    try {
      const r = await portalApi<{ applied: boolean; case: { id: string; due_at: string } | null }>(
        '/me/corrections',
        { method: 'POST', body: { field: field.key, value, ...(note.trim() ? { note: note.trim() } : {}) } },
      );
      await qc.invalidateQueries({ queryKey: portalKeys.profile });
      await qc.invalidateQueries({ queryKey: portalKeys.requests });
      onDone(
        r.applied
          ? t('portal.profile.saved')
          : t('portal.profile.requested', { date: isoDay(r.case?.due_at ?? null) }),
      );
    } catch (err) {
      const reason =
        err instanceof ApiError ? err.problem.errors?.find((x) => x.field === 'value')?.reason : undefined;
      if (reason) setFieldError(reason);
      else setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={t('portal.profile.correctTitle', { field: label })}
      fullScreen={mobile}
      centered
    >
      <form onSubmit={submit} data-testid="portal-correction-form">
        <Stack gap="md">
          <Badge variant="light" color={field.policy === 'direct' ? 'teal' : 'blue'} w="fit-content">
            {field.policy === 'direct' ? t('portal.profile.direct') : t('portal.profile.request')}
          </Badge>
          {field.key === 'preferred_language' ? (
            <SegmentedControl
              value={value}
              onChange={setValue}
              data={[
                { value: 'zh-CN', label: t('portal.profile.languages.zh-CN') },
                { value: 'en', label: t('portal.profile.languages.en') },
              ]}
            />
          ) : field.key === 'other' ? (
            <Textarea
              label={t('portal.profile.newValue')}
              description={t('portal.profile.otherHint')}
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              minRows={3}
              autosize
              required
              error={fieldError}
              data-testid="portal-correction-value"
            />
          ) : (
            <TextInput
              label={t('portal.profile.newValue')}
              description={
                field.key === 'phones'
                  ? t('portal.profile.phonesHint')
                  : field.key === 'emails'
                    ? t('portal.profile.emailsHint')
                    : undefined
              }
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              error={fieldError}
              data-testid="portal-correction-value"
              data-autofocus
            />
          )}
          {field.policy === 'request' && field.key !== 'other' && (
            <Textarea
              label={t('portal.profile.note')}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              autosize
              minRows={2}
            />
          )}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('portal.cancel')}
            </Button>
            <Button type="submit" loading={busy} data-testid="portal-correction-save">
              {field.policy === 'direct' ? t('portal.profile.save') : t('portal.profile.submitRequest')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
