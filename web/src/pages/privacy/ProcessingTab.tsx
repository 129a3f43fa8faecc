/** Being built (issue 13). */
export function ProcessingTab() {
  return null;
}
