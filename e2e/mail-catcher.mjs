// A real SMTP server for the browser tests (the demo's catcher, scripts/mail-catcher.mjs): the e2e
// server sends its mail here (portal sign-in codes), the tests read it. Start it before the server:
//   const mail = await startMailCatcher();
//   startServer({ env: { ZHONGSHU_SMTP_URL: mail.url } });
export { portalCodeOf, startMailCatcher } from '../scripts/mail-catcher.mjs';
