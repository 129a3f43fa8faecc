/** Being built (issue 13). */
export function DashboardTab() {
  return null;
}
