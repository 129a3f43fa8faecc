/** Being built (issue 13). */
export function NoticesTab() {
  return null;
}
