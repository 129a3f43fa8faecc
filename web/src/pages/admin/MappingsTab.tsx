import { Text } from '@mantine/core';

/** Admin → Mappings: being built (issue 10). */
export function MappingsTab() {
  return <Text c="dimmed">…</Text>;
}
