// A real SMTP server for the browser tests: the e2e server sends its mail here (portal sign-in
// codes), the tests read it. Start it before the server and give the server its URL:
//   const mail = await startMailCatcher();
//   startServer({ env: { ZHONGSHU_SMTP_URL: mail.url } });
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const req = createRequire(join(ROOT, 'server', 'package.json'));
const { SMTPServer } = req('smtp-server');
const { simpleParser } = req('mailparser');

/** Listens on a free local port (or `port`); keeps every message: { to, subject, text, html }. */
export async function startMailCatcher({ port = 0 } = {}) {
  const mails = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream).then((m) => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(','),
          subject: m.subject ?? '',
          text: m.text ?? '',
          html: typeof m.html === 'string' ? m.html : '',
          at: Date.now(),
        });
        done();
      }, done);
    },
  });
  await new Promise((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  const url = `smtp://127.0.0.1:${smtp.server.address().port}`;
  return {
    url,
    mails,
    /** The newest mail to `to` received after `since` (ms epoch), waiting up to timeoutMs. */
    async waitFor(to, { since = 0, timeoutMs = 20_000 } = {}) {
      const want = to.toLowerCase();
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = [...mails].reverse().find((m) => m.to.split(',').includes(want) && m.at >= since);
        if (hit) return hit;
        if (Date.now() > until)
          throw new Error(`no mail to ${to} within ${timeoutMs} ms (${mails.length} caught)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise((resolve) => smtp.close(resolve)),
  };
}

/** The 6-digit code and the sign-in link of a portal sign-in mail. */
export function portalCodeOf(mail) {
  const code = /^\s+(\d{6})\s*$/m.exec(mail.text)?.[1] ?? null;
  const link = /(https?:\/\/\S+\/portal\/verify\?token=[A-Za-z0-9_%-]+)/.exec(mail.text)?.[1] ?? null;
  return { code, link };
}
