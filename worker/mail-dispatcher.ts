// Delivers the outbox. The action that causes a mail writes it (idempotently) together with
// its other records; this loop delivers it. A crash between sending and marking can resend
// one mail over SMTP (at-least-once, with a stable Message-ID for receivers to drop
// duplicates); the local mailbox transport is exactly-once.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Models } from '../models';

export interface DispatcherOptions {
  models: Models;
  logger: Logger;
  transport: 'mailbox' | 'smtp';
  smtpUrl?: string;
  from: string;
  intervalMs?: number;
}

const LEASE_MS = 60_000;

export function startMailDispatcher(opts: DispatcherOptions): { stop(): Promise<void>; runOnce(): Promise<number> } {
  const { Mail } = opts.models;
  const smtp: Transporter | null = opts.transport === 'smtp' ? nodemailer.createTransport(opts.smtpUrl!) : null;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  async function runOnce(): Promise<number> {
    const now = Date.now();
    const due = await Mail.find({ status: 'pending', lockedUntil: { $lt: now } })
      .sort({ createdAt: 1 })
      .limit(50)
      .lean();
    let sent = 0;
    for (const mail of due) {
      // Lease the mail, so that a second worker does not send it at the same time.
      const lease = await Mail.updateOne(
        { _id: mail._id, status: 'pending', lockedUntil: mail.lockedUntil },
        { $set: { lockedUntil: now + LEASE_MS } },
      );
      if (lease.modifiedCount !== 1) continue;
      try {
        if (smtp) {
          await smtp.sendMail({
            from: opts.from,
            to: mail.email,
            subject: mail.subject,
            html: mail.html,
            messageId: `<${mail._id.replace(/[^\w.-]/g, '.')}@eenvoud>`,
          });
        }
        await Mail.updateOne({ _id: mail._id }, { $set: { status: 'sent', sentAt: new Date().toISOString() }, $inc: { attempts: 1 } });
        sent += 1;
      } catch (err) {
        opts.logger.warn({ err, mail: mail._id }, 'mail delivery failed; will retry');
        await Mail.updateOne({ _id: mail._id }, { $set: { lastError: String(err) }, $inc: { attempts: 1 } });
      }
    }
    return sent;
  }

  const loop = async () => {
    while (!stopped) {
      running = runOnce().catch((err) => opts.logger.error({ err }, 'mail dispatcher failed'));
      await running;
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2_000));
    }
  };
  void loop();
  return {
    async stop() {
      stopped = true;
      await running;
      smtp?.close();
    },
    runOnce,
  };
}
