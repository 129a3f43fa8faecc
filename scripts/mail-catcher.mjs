#!/usr/bin/env node
// A local mail catcher for the demo: a tiny SMTP server that prints every mail it receives
// (recipient, subject, and the sign-in code and link of a portal mail) instead of delivering it.
//   terminal 1:  node scripts/mail-catcher.mjs            (listens on 127.0.0.1:1025; --port 2525)
//   terminal 2:  ZHONGSHU_SMTP_URL=smtp://127.0.0.1:1025 npm start
// Then open http://localhost:3000/portal, enter a demo contact's e-mail and read the code here.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const req = createRequire(join(root, 'server', 'package.json'));
let SMTPServer;
let simpleParser;
try {
  ({ SMTPServer } = req('smtp-server'));
  ({ simpleParser } = req('mailparser'));
} catch {
  console.error('smtp-server and mailparser are needed: run `npm install` in the repository first.');
  process.exit(1);
}

const flag = process.argv.indexOf('--port');
const port = flag > 0 ? Number(process.argv[flag + 1]) : Number(process.env.MAIL_CATCHER_PORT ?? 1025);
const host = process.env.MAIL_CATCHER_HOST ?? '127.0.0.1';

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, done) {
    simpleParser(stream).then((m) => {
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      const text = m.text ?? '';
      const code = /^\s+(\d{6})\s*$/m.exec(text)?.[1];
      const link = /(https?:\/\/\S+\/portal\/verify\?token=\S+)/.exec(text)?.[1];
      const lines = [
        `── ${new Date().toLocaleTimeString()} ─ mail to ${to}`,
        `   subject: ${m.subject ?? ''}`,
      ];
      if (code) lines.push(`   code:    ${code}`);
      if (link) lines.push(`   link:    ${link}`);
      if (!code && !link)
        lines.push(
          ...text
            .split('\n')
            .slice(0, 12)
            .map((l) => `   ${l}`),
        );
      console.log(lines.join('\n'));
      done();
    }, done);
  },
});
smtp.on('error', (err) => console.error(`mail catcher: ${err.message}`));
smtp.listen(port, host, () => {
  console.log(`Mail catcher listening on smtp://${host}:${port}`);
  console.log(`Start the server with ZHONGSHU_SMTP_URL=smtp://${host}:${port} npm start`);
});
const stop = () => smtp.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
