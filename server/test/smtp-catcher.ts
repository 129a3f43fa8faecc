import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmtpCatcher {
  /** smtp://127.0.0.1:<port> — give it to the server as mail.smtpUrl. */
  url: string;
  mails: CaughtMail[];
  /** Waits (≤ timeoutMs) for the first mail to `to` matching `pred`, newest first. */
  waitFor(to: string, pred?: (m: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  close(): Promise<void>;
}

/** A real SMTP server on a free local port that keeps every message it receives (tests read them). */
export async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const mails: CaughtMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      simpleParser(stream).then((m) => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(','),
          subject: m.subject ?? '',
          text: m.text ?? '',
          html: typeof m.html === 'string' ? m.html : '',
        });
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(to, pred = () => true, timeoutMs = 10_000) {
      const want = to.toLowerCase();
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = [...mails].reverse().find((m) => m.to.split(',').includes(want) && pred(m));
        if (hit) return hit;
        if (Date.now() > until)
          throw new Error(`no mail to ${to} within ${timeoutMs} ms (${mails.length} caught)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
