import { Anchor, Table } from '@mantine/core';
import { Link } from 'react-router';
import type { Lang } from '../lib/format';
import { stageLabel } from '../lib/hooks';
import type { Pipeline } from '../lib/types';

/** An opportunity's stage as its pipeline names it (the key itself when the pipeline or stage is unknown). */
export function opportunityStage(
  pipelines: Pipeline[] | undefined,
  o: { pipeline_id: string; stage: string },
  lang: Lang,
): string {
  return stageLabel(
    pipelines?.find((p) => p.id === o.pipeline_id)?.stages.find((s) => s.key === o.stage),
    lang,
    o.stage,
  );
}

/** A table cell with an opportunity's name, linking to it. */
export function OppNameCell({ o }: { o: { id: string; name: string } }) {
  return (
    <Table.Td>
      <Anchor component={Link} to={`/opportunities/${o.id}`} fz="sm">
        {o.name}
      </Anchor>
    </Table.Td>
  );
}
