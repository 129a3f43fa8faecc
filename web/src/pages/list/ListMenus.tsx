import { ActionIcon, Button, Menu } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Entity } from '../../lib/fields';
import { exportUrl } from '../../lib/listConfig';
import { deleteView, loadViews, type SavedView, saveView } from '../../lib/views';

type Params = Record<string, string>;

/** The list's saved views (kept in this browser): apply one, delete one, save the current filters. */
export function SavedViewsMenu({
  entity,
  params,
  onApply,
  onReset,
}: {
  entity: Entity;
  params: Params;
  /** A saved view was chosen: its filters, sort and search. */
  onApply: (params: Params) => void;
  /** "Default view": no filters. */
  onReset: () => void;
}) {
  const { t } = useTranslation();
  const [views, setViews] = useState<SavedView[]>(() => loadViews(entity));
  useEffect(() => setViews(loadViews(entity)), [entity]);
  return (
    <Menu>
      <Menu.Target>
        <Button variant="default" size="sm" data-testid="views-menu">
          {t('common.views')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={onReset}>{t('common.defaultView')}</Menu.Item>
        {views.map((v) => (
          <Menu.Item
            key={v.name}
            onClick={() => onApply(v.params)}
            rightSection={
              <ActionIcon
                size="xs"
                variant="subtle"
                color="red"
                aria-label={t('common.deleteView')}
                onClick={(e) => {
                  e.stopPropagation();
                  setViews(deleteView(entity, v.name));
                }}
              >
                ×
              </ActionIcon>
            }
          >
            {v.name}
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Menu.Item
          onClick={() => {
            const name = window.prompt(t('common.viewName'));
            if (name?.trim()) {
              setViews(saveView(entity, { name: name.trim(), params }));
              notifications.show({ message: t('common.viewSaved') });
            }
          }}
        >
          {t('common.saveView')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** Export what the list shows (its filters and sort) as CSV or Excel. */
export function ExportMenu({ entity, params }: { entity: Entity; params: Params }) {
  const { t } = useTranslation();
  return (
    <Menu>
      <Menu.Target>
        <Button variant="default" size="sm">
          {t('common.export')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item component="a" href={exportUrl(entity, params, 'csv')} download>
          {t('common.exportCsv')}
        </Menu.Item>
        <Menu.Item component="a" href={exportUrl(entity, params, 'xlsx')} download>
          {t('common.exportXlsx')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
