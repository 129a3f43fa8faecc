import { useAuth } from '../../auth/auth';
import type { Entity } from '../../lib/fields';
import { isReadOnly } from '../../lib/sharing';
import { isMergeEntity, type MergeEntity, type MergeRecord } from '../merge/merge-lib';

/**
 * Two accounts (or two contacts) selected in a list, both editable by the user: the pair the
 * list's "合并重复记录" button opens the merge dialog on (the first selected as the record, the
 * other preset). Null for any other selection.
 */
export function useMergePair(
  entity: Entity,
  rows: readonly Record<string, unknown>[],
  selected: ReadonlySet<string>,
): { entity: MergeEntity; record: MergeRecord; otherId: string } | null {
  const { can } = useAuth();
  if (!isMergeEntity(entity) || !can('crm:merge') || selected.size !== 2) return null;
  const [first, second] = [...selected];
  const record = rows.find((r) => r.id === first);
  const other = rows.find((r) => r.id === second);
  if (!record || !other || isReadOnly(record) || isReadOnly(other)) return null;
  const pair: MergeRecord = Object.assign({}, record, { id: String(record.id) });
  return { entity, record: pair, otherId: String(other.id) };
}
