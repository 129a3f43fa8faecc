/**
 * Styles for a badge whose words must be read whole (a stage, a role, a probability): it keeps its
 * width in a narrow table cell or grid instead of being cut to 「商…」; the table scrolls instead.
 */
export const wholeBadge = {
  root: { minWidth: 'max-content', flexShrink: 0 },
  label: { overflow: 'visible', textOverflow: 'clip' },
} as const;
