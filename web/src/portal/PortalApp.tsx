/** The customer portal (/portal), being built (issue 13). */
export default function PortalApp() {
  return null;
}
