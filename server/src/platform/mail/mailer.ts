import nodemailer, { type Transporter } from 'nodemailer';
import { maskSecrets } from '../http/log-redact.js';

export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
}

export type MailResult = { sent: true; messageId: string } | { sent: false; reason: string };

/**
 * The platform's one way to send mail: SMTP through nodemailer (ZHONGSHU_SMTP_URL). Without a URL
 * nothing is sent and the caller learns why; a failing server is reported, never thrown into the
 * business flow that wanted to tell someone something.
 */
export class Mailer {
  private transport: Transporter | null;

  constructor(
    private readonly cfg: { smtpUrl: string | undefined; from: string },
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void = () => {},
  ) {
    this.transport = cfg.smtpUrl ? nodemailer.createTransport(cfg.smtpUrl) : null;
  }

  /** Whether an SMTP server is configured (UIs say so when not). */
  get configured(): boolean {
    return this.transport !== null;
  }

  async send(message: MailMessage): Promise<MailResult> {
    if (!this.transport) {
      this.log('mail not sent: ZHONGSHU_SMTP_URL is not set', { subject: message.subject });
      return { sent: false, reason: 'no SMTP server configured (ZHONGSHU_SMTP_URL)' };
    }
    try {
      const info = await this.transport.sendMail({ from: this.cfg.from, ...message });
      return { sent: true, messageId: String(info.messageId) };
    } catch (err) {
      const reason = maskSecrets(err instanceof Error ? err.message : String(err));
      this.log('mail could not be sent', { subject: message.subject, reason });
      return { sent: false, reason };
    }
  }

  close(): void {
    this.transport?.close();
  }
}
