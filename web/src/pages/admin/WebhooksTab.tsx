import { Text } from '@mantine/core';

/** Admin → Webhooks: being built (issue 10). */
export function WebhooksTab() {
  return <Text c="dimmed">…</Text>;
}
