import { Text } from '@mantine/core';

/** Admin → Apps: being built (issue 10). */
export function AppsTab() {
  return <Text c="dimmed">…</Text>;
}
