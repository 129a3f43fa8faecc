import { Button, Checkbox, Group, Radio, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLang } from '../../../lib/hooks';
import { GeneralErrors } from '../admin-shared';
import { type AppBody, type AppForm, type AppType, appBody, emptyForm, type Scope } from './apps-lib';

const TYPES: AppType[] = ['confidential', 'public'];

/**
 * The register / edit form: name, type (fixed once registered), redirect URIs one per line and the
 * API scopes as checkboxes in business words. Server reasons show at their field.
 */
export function AppFormView({
  initial = emptyForm,
  editing = false,
  scopes,
  errors = {},
  general = [],
  pending = false,
  submitLabel,
  onSubmit,
}: {
  initial?: AppForm;
  editing?: boolean;
  scopes: Scope[];
  errors?: Record<string, string>;
  general?: string[];
  pending?: boolean;
  submitLabel: string;
  onSubmit: (body: AppBody, form: AppForm) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const [form, setForm] = useState<AppForm>(initial);
  const set = (patch: Partial<AppForm>) => setForm((f) => ({ ...f, ...patch }));
  const api = scopes.filter((s) => s.kind === 'api');
  const oidc = scopes.filter((s) => s.kind === 'oidc').map((s) => s.scope);
  const ref = useRef<HTMLFormElement>(null);
  // A server reason lands at its field: bring the first such field into view (a long form on a phone).
  useEffect(() => {
    if (Object.keys(errors).length === 0) return;
    const bad = ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    bad?.scrollIntoView({ block: 'center' });
    bad?.focus({ preventScroll: true });
  }, [errors]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(appBody(form, scopes), form);
  };
  return (
    <form ref={ref} onSubmit={submit} data-testid="app-form" noValidate>
      <Stack>
        <GeneralErrors list={general} />
        <TextInput
          name="name"
          label={t('oauth.name')}
          placeholder={t('oauth.namePlaceholder')}
          required
          value={form.name}
          error={errors.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
        />
        <Radio.Group
          name="type"
          label={t('oauth.type')}
          description={editing ? t('oauth.typeFixed') : undefined}
          value={form.type}
          onChange={(v) => set({ type: v === 'public' ? 'public' : 'confidential' })}
          error={errors.type}
        >
          <Stack gap="xs" mt="xs">
            {TYPES.map((ty) => (
              <Radio
                key={ty}
                value={ty}
                disabled={editing}
                label={t(`oauth.types.${ty}`)}
                description={t(`oauth.typeHints.${ty}`)}
                data-testid={`app-type-${ty}`}
              />
            ))}
          </Stack>
        </Radio.Group>
        <Textarea
          name="redirect_uris"
          label={t('oauth.redirectUris')}
          description={t('oauth.redirectUrisHint')}
          placeholder={'https://erp.example.com/oauth/callback\nhttp://localhost:8080/callback'}
          autosize
          minRows={3}
          maxRows={10}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          value={form.redirects}
          error={errors.redirect_uris}
          onChange={(e) => set({ redirects: e.currentTarget.value })}
        />
        <Checkbox.Group
          label={t('oauth.scopes')}
          description={t('oauth.scopesHint', { oidc: oidc.join(' ') })}
          value={form.scopes}
          onChange={(v) => set({ scopes: v })}
          error={errors.scopes}
          withAsterisk
          data-testid="app-scopes"
        >
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" verticalSpacing="xs" mt="xs">
            {api.map((s) => (
              <Checkbox
                key={s.scope}
                value={s.scope}
                label={lang === 'en' ? s.en : s.zh_cn}
                description={
                  <Text span fz="xs" ff="monospace" c="dimmed">
                    {s.scope}
                  </Text>
                }
              />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button type="submit" loading={pending} data-testid="app-submit">
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
