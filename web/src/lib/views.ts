/** Saved list views, kept per browser in localStorage (key zs.views.<entity>). */
export interface SavedView {
  name: string;
  params: Record<string, string>;
}

const key = (entity: string) => `zs.views.${entity}`;

export function loadViews(entity: string, storage: Pick<Storage, 'getItem'> = localStorage): SavedView[] {
  try {
    const raw = storage.getItem(key(entity));
    const v = raw ? JSON.parse(raw) : [];
    return Array.isArray(v) ? v.filter((x) => x && typeof x.name === 'string' && x.params) : [];
  } catch {
    return [];
  }
}

export function saveView(
  entity: string,
  view: SavedView,
  storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
): SavedView[] {
  const views = loadViews(entity, storage).filter((v) => v.name !== view.name);
  views.push(view);
  storage.setItem(key(entity), JSON.stringify(views));
  return views;
}

export function deleteView(
  entity: string,
  name: string,
  storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
): SavedView[] {
  const views = loadViews(entity, storage).filter((v) => v.name !== name);
  storage.setItem(key(entity), JSON.stringify(views));
  return views;
}
