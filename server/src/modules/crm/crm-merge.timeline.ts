import type { ModuleTimeline } from '../../platform/modules/module-definition.js';
import { mergesInto } from './crm-merge.service.js';

/** On a survivor's timeline: "Merged X into this account" and the undo, if any. */
export const mergeTimeline: ModuleTimeline = {
  name: 'crm.merges',
  async provide(tx, ctx, subject, limit) {
    if (subject.entity !== 'accounts' && subject.entity !== 'contacts') return [];
    const entity = subject.entity === 'accounts' ? 'account' : 'contact';
    const rows = await mergesInto(tx, ctx, entity, subject.id, limit);
    return rows.flatMap((m) => {
      const data = { merge_id: m.id, merged_id: m.merged_id, merged_name: m.merged_name, status: m.status };
      const items = [
        {
          kind: 'merge',
          id: `merge:${m.id}`,
          at: m.created_at.toISOString(),
          title: `Merged ${m.merged_name} into this ${entity}`,
          summary: null,
          actor_name: m.created_by_name,
          data: { ...data, title_zh: `合并了 ${m.merged_name}` },
        },
      ];
      if (m.undone_at)
        items.push({
          kind: 'merge_undone',
          id: `merge-undone:${m.id}`,
          at: m.undone_at.toISOString(),
          title: `Undid the merge of ${m.merged_name}`,
          summary: null,
          actor_name: null,
          data: { ...data, title_zh: `撤销了与 ${m.merged_name} 的合并` },
        });
      return items;
    });
  },
};
