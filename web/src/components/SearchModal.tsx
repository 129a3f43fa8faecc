import { Badge, Group, Loader, Modal, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { request } from '../lib/api';
import { SINGULAR } from '../lib/fields';
import { queryKeys } from '../lib/query-keys';

interface Hit {
  entity: 'accounts' | 'contacts' | 'opportunities';
  id: string;
  name: string;
  sub?: string | null;
}

async function searchAll(q: string): Promise<Hit[]> {
  const [a, c, o] = await Promise.all([
    request('get', '/accounts', { query: { q, limit: 6 } }),
    request('get', '/contacts', { query: { q, limit: 6 } }),
    request('get', '/opportunities', { query: { q, limit: 6 } }),
  ]);
  return [
    ...a.data.map((r) => ({ entity: 'accounts' as const, id: r.id, name: r.name, sub: r.industry })),
    ...c.data.map((r) => ({ entity: 'contacts' as const, id: r.id, name: r.name, sub: r.title })),
    ...o.data.map((r) => ({ entity: 'opportunities' as const, id: r.id, name: r.name, sub: null })),
  ];
}

export function SearchModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 200);
  const [active, setActive] = useState(0);
  const { data, isFetching, isError } = useQuery({
    queryKey: queryKeys.search(debounced),
    queryFn: () => searchAll(debounced),
    enabled: opened && debounced.length > 0,
    staleTime: 10_000,
  });
  const hits = debounced ? (data ?? []) : [];
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset the highlighted hit whenever the query changes
  useEffect(() => setActive(0), [debounced]);
  useEffect(() => {
    if (!opened) setQ('');
  }, [opened]);

  function open(h: Hit) {
    onClose();
    navigate(`/${h.entity}/${h.id}`);
  }
  function onKey(e: KeyboardEvent) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, hits.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter' && hits[active]) {
      e.preventDefault();
      open(hits[active]);
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title={t('search.title')} size="lg" yOffset="10vh">
      <TextInput
        data-autofocus
        placeholder={t('search.placeholder')}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        onKeyDown={onKey}
        rightSection={isFetching ? <Loader size="xs" /> : null}
        aria-label={t('search.placeholder')}
        aria-controls="search-results"
        aria-activedescendant={hits[active] ? `hit-${hits[active].id}` : undefined}
        data-testid="search-input"
      />
      <Stack gap={2} mt="sm" id="search-results" role="listbox" aria-label={t('search.title')}>
        {!debounced && (
          <Text c="dimmed" fz="sm">
            {t('search.hint')}
          </Text>
        )}
        {isError && <Text c="red">{t('common.error')}</Text>}
        {debounced && !isFetching && data && hits.length === 0 && (
          <Text c="dimmed">{t('common.noResults')}</Text>
        )}
        {hits.map((h, i) => (
          <UnstyledButton
            key={`${h.entity}-${h.id}`}
            id={`hit-${h.id}`}
            role="option"
            aria-selected={i === active}
            className="zs-result-item"
            data-active={i === active}
            data-testid="search-hit"
            onMouseEnter={() => setActive(i)}
            onClick={() => open(h)}
            p="xs"
            style={{ borderRadius: 6 }}
          >
            <Group justify="space-between" wrap="nowrap">
              <div>
                <Text fw={500}>{h.name}</Text>
                {h.sub && (
                  <Text fz="xs" c="dimmed">
                    {h.sub}
                  </Text>
                )}
              </div>
              <Badge variant="light" size="sm">
                {t(`entities.${SINGULAR[h.entity]}`)}
              </Badge>
            </Group>
          </UnstyledButton>
        ))}
      </Stack>
    </Modal>
  );
}
