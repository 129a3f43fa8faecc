/** A privacy case: its clock, history and actions (being built, issue 13). */
export default function CasePage() {
  return null;
}
