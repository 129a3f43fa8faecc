#!/usr/bin/env node
// A local mail catcher: a tiny real SMTP server that keeps every mail it receives instead of
// delivering it. Run it for the demo (it prints each mail's recipient, subject, and the sign-in
// code and link of a portal mail); the browser tests import startMailCatcher from here.
//   terminal 1:  node scripts/mail-catcher.mjs            (listens on 127.0.0.1:1025; --port 2525)
//   terminal 2:  ZHONGSHU_SMTP_URL=smtp://127.0.0.1:1025 npm start
// Then open http://localhost:3000/portal, enter a demo contact's e-mail and read the code here.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const req = createRequire(join(root, 'server', 'package.json'));

function smtpPackages() {
  try {
    return { SMTPServer: req('smtp-server').SMTPServer, simpleParser: req('mailparser').simpleParser };
  } catch {
    throw new Error('smtp-server and mailparser are needed: run `npm install` in the repository first.');
  }
}

/**
 * Listens on `host:port` (a free local port by default); keeps every message as
 * { to, subject, text, html, at } and calls onMail with each.
 */
export async function startMailCatcher({ port = 0, host = '127.0.0.1', onMail = () => {} } = {}) {
  const { SMTPServer, simpleParser } = smtpPackages();
  const mails = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream).then((m) => {
        const mail = {
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(','),
          subject: m.subject ?? '',
          text: m.text ?? '',
          html: typeof m.html === 'string' ? m.html : '',
          at: Date.now(),
        };
        mails.push(mail);
        onMail(mail);
        done();
      }, done);
    },
  });
  smtp.on('error', (err) => console.error(`mail catcher: ${err.message}`));
  await new Promise((resolve) => smtp.listen(port, host, resolve));
  const url = `smtp://${host}:${smtp.server.address().port}`;
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

/** One mail as the demo catcher prints it. */
function printMail(mail) {
  const { code, link } = portalCodeOf(mail);
  const lines = [
    `── ${new Date(mail.at).toLocaleTimeString()} ─ mail to ${mail.to}`,
    `   subject: ${mail.subject}`,
  ];
  if (code) lines.push(`   code:    ${code}`);
  if (link) lines.push(`   link:    ${link}`);
  if (!code && !link)
    lines.push(
      ...mail.text
        .split('\n')
        .slice(0, 12)
        .map((l) => `   ${l}`),
    );
  console.log(lines.join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flag = process.argv.indexOf('--port');
  const port = flag > 0 ? Number(process.argv[flag + 1]) : Number(process.env.MAIL_CATCHER_PORT ?? 1025);
  const host = process.env.MAIL_CATCHER_HOST ?? '127.0.0.1';
  try {
    const catcher = await startMailCatcher({ port, host, onMail: printMail });
    console.log(`Mail catcher listening on ${catcher.url}`);
    console.log(`Start the server with ZHONGSHU_SMTP_URL=${catcher.url} npm start`);
    const stop = () => catcher.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
