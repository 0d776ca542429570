// Delivers the outbox. The action that causes a mail writes it (idempotently) together with
// its other records; this loop delivers it, each attempt claimed by exactly one dispatcher.
// Only a crash between sending and marking can resend a mail over SMTP (at-least-once, with
// a stable Message-ID so receivers can drop the duplicate); the local mailbox is exactly-once.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { ignoreDuplicateKey, isDuplicateKey, type Models } from '../models';

export interface DispatcherOptions {
  models: Models;
  logger: Logger;
  transport: 'mailbox' | 'smtp';
  smtpUrl?: string;
  from: string;
  intervalMs?: number;
}

const LEASE_MS = 60_000;
/** A queue entry without its mail this long after: the action that wrote it never finished. */
const ORPHAN_MS = 3_600_000;

export function startMailDispatcher(opts: DispatcherOptions): { stop(): Promise<void>; runOnce(): Promise<number> } {
  const { Mail, MailClaim, MailQueue } = opts.models;
  const smtp: Transporter | null = opts.transport === 'smtp' ? nodemailer.createTransport(opts.smtpUrl!) : null;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  /**
   * Pending mails written before the queue existed (an upgrade) or by hand get their entry:
   * once per start, the only read of the whole outbox.
   */
  async function backfill(): Promise<void> {
    const pending = await Mail.find({ status: 'pending' }).select({ _id: 1, createdAt: 1 }).lean();
    if (pending.length)
      await MailQueue.insertMany(
        pending.map((m) => ({ _id: m._id, at: m.createdAt })),
        { ordered: false },
      ).catch(ignoreDuplicateKey);
  }

  async function runOnce(): Promise<number> {
    const now = Date.now();
    const queued = await MailQueue.find().sort({ at: 1 }).limit(50).lean();
    let sent = 0;
    for (const entry of queued) {
      const mail = await Mail.findById(entry._id).lean();
      if (!mail || mail.status === 'sent') {
        // Sent (its entry outlived a crash), or an entry whose action never wrote the mail.
        if (mail || Date.parse(entry.at) < now - ORPHAN_MS) await MailQueue.deleteOne({ _id: entry._id });
        continue;
      }
      // Claim this attempt of this mail: only one dispatcher can insert the claim.
      const claimId = `${mail._id}#${mail.attempts}`;
      try {
        await MailClaim.create({ _id: claimId, at: now });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Claimed by someone else; if that claim is stale (its dispatcher died), free the next attempt.
        const claim = await MailClaim.findById(claimId).lean();
        if (claim && (claim.at as number) < now - LEASE_MS)
          await Mail.updateOne({ _id: mail._id, attempts: mail.attempts }, { $inc: { attempts: 1 } });
        continue;
      }
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
        await MailQueue.deleteOne({ _id: mail._id });
        sent += 1;
      } catch (err) {
        opts.logger.warn({ err, mail: mail._id }, 'mail delivery failed; will retry');
        await Mail.updateOne({ _id: mail._id }, { $set: { lastError: String(err) }, $inc: { attempts: 1 } });
      }
    }
    return sent;
  }

  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  const loop = async () => {
    await backfill().catch((err) => opts.logger.error({ err }, 'mail queue backfill failed'));
    while (!stopped) {
      running = runOnce().catch((err) => opts.logger.error({ err }, 'mail dispatcher failed'));
      await running;
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, opts.intervalMs ?? 2_000);
      });
    }
  };
  void loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await running;
      smtp?.close();
    },
    runOnce,
  };
}
