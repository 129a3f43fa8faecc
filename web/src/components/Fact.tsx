import { Anchor, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

/** One labelled value in a record's facts grid. `block` renders the value in a div (it may hold a hover card). */
export function Fact({
  label,
  children,
  block = true,
}: {
  label: ReactNode;
  children: ReactNode;
  block?: boolean;
}) {
  return (
    <div>
      <Text fz="xs" c="dimmed">
        {label}
      </Text>
      {block ? (
        <Text fz="sm" component="div">
          {children}
        </Text>
      ) : (
        <Text fz="sm">{children}</Text>
      )}
    </div>
  );
}

/** The dimmed link back to a record's list, above its title. */
export function BackLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Text fz="sm" c="dimmed">
      <Anchor component={Link} to={to}>
        {children}
      </Anchor>
    </Text>
  );
}
