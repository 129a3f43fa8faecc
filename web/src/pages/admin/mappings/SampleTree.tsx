import { Box, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { PathNode } from './mappings-lib';

/** The field picker: the sample's paths as a tree; clicking one hands its jsonata path to `onPick`. */
export function SampleTree({ nodes, onPick }: { nodes: PathNode[]; onPick: (path: string) => void }) {
  const { t } = useTranslation();
  if (!nodes.length)
    return (
      <Text fz="sm" c="dimmed">
        {t('mappings.pickerEmpty')}
      </Text>
    );
  return (
    <Box
      component="ul"
      aria-label={t('mappings.picker')}
      style={{ listStyle: 'none', margin: 0, padding: 0 }}
    >
      {nodes.map((n) => (
        <TreeNode key={n.path} node={n} onPick={onPick} />
      ))}
    </Box>
  );
}

function TreeNode({ node, onPick }: { node: PathNode; onPick: (path: string) => void }) {
  return (
    <li>
      <UnstyledButton
        onClick={() => onPick(node.path)}
        title={node.path}
        data-path={node.path}
        className="zs-map-path"
        style={{
          display: 'flex',
          gap: 6,
          alignItems: 'baseline',
          padding: '2px 4px',
          borderRadius: 4,
          maxWidth: '100%',
        }}
      >
        <Text span fz="sm" ff="monospace" fw={500}>
          {node.key}
        </Text>
        {node.preview !== undefined && (
          <Text span fz="xs" c="dimmed" truncate style={{ minWidth: 0 }}>
            {node.preview}
          </Text>
        )}
      </UnstyledButton>
      {node.children.length > 0 && (
        <ul style={{ listStyle: 'none', margin: 0, paddingLeft: 14 }}>
          {node.children.map((c) => (
            <TreeNode key={c.path} node={c} onPick={onPick} />
          ))}
        </ul>
      )}
    </li>
  );
}
