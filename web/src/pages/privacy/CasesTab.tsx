/** Being built (issue 13). */
export function CasesTab() {
  return null;
}
