// Delivers the outbox. The action that causes a mail writes it (idempotently) together with
// its other records; this loop delivers it, each attempt claimed by exactly one dispatcher.
// Only a crash between sending and marking can resend a mail over SMTP (at-least-once, with
// a stable Message-ID so receivers can drop the duplicate); the local mailbox is exactly-once.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { ignoreDuplicateKey, type Models } from '../models';

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

  /**
   * Claims attempts at once: one insert of many claims, each claim taken by exactly one
   * dispatcher (a unique _id, atomic on FerretDB too). Returns the claims this one got.
   */
  async function claimAll(claims: { _id: string; at: number }[]): Promise<Set<string>> {
    const got = new Set(claims.map((c) => c._id));
    if (!claims.length) return got;
    try {
      await MailClaim.insertMany(claims, { ordered: false });
    } catch (err) {
      // Mongoose copies the driver's write errors: the code is then on .err.
      type WriteError = { index: number; code?: number; err?: { code?: number } };
      const errors = (err as { writeErrors?: WriteError[] | WriteError }).writeErrors;
      const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
      if (!list.length) throw err;
      for (const e of list) {
        if ((e.code ?? e.err?.code) !== 11000) throw err;
        got.delete(claims[e.index]!._id);
      }
    }
    return got;
  }

  /**
   * One round over the oldest queue entries. Every read and write is by _id (FerretDB answers
   * other filters by reading the whole collection), and the writes of a round go in one command
   * per collection; over SMTP each mail is marked right after it went out.
   */
  async function runOnce(): Promise<number> {
    const now = Date.now();
    const queued = await MailQueue.find().sort({ at: 1 }).limit(50).lean();
    if (!queued.length) return 0;
    // One read for the round (a list of at most 50 ids, which FerretDB looks up by index).
    const found = await Mail.find({ _id: { $in: queued.map((e) => e._id) } })
      .select(smtp ? { status: 1, attempts: 1, email: 1, subject: 1, html: 1 } : { status: 1, attempts: 1 })
      .lean();
    const byId = new Map(found.map((m) => [m._id, m]));
    const mails = queued.map((e) => byId.get(e._id) ?? null);
    const done: string[] = [];
    const open: NonNullable<(typeof mails)[number]>[] = [];
    queued.forEach((entry, i) => {
      const mail = mails[i];
      if (mail && mail.status !== 'sent') open.push(mail);
      // Sent (its entry outlived a crash), or an entry whose action never wrote the mail.
      else if (mail || Date.parse(entry.at) < now - ORPHAN_MS) done.push(entry._id);
    });
    const claimId = (m: (typeof open)[number]) => `${m._id}#${m.attempts}`;
    const claimed = await claimAll(open.map((m) => ({ _id: claimId(m), at: now })));
    const sentAt = new Date().toISOString();
    const marks: Parameters<typeof Mail.bulkWrite>[0] = [];
    let sent = 0;
    for (const mail of open) {
      if (!claimed.has(claimId(mail))) {
        // Claimed by someone else; if that claim is stale (its dispatcher died), free the next attempt.
        const claim = await MailClaim.findById(claimId(mail)).lean();
        if (claim && (claim.at as number) < now - LEASE_MS)
          await Mail.updateOne({ _id: mail._id, attempts: mail.attempts }, { $inc: { attempts: 1 } });
        continue;
      }
      if (!smtp) {
        marks.push({ updateOne: { filter: { _id: mail._id }, update: { $set: { status: 'sent', sentAt }, $inc: { attempts: 1 } } } });
        done.push(mail._id);
        sent += 1;
        continue;
      }
      try {
        await smtp.sendMail({
          from: opts.from,
          to: mail.email,
          subject: mail.subject,
          html: mail.html,
          messageId: `<${mail._id.replace(/[^\w.-]/g, '.')}@eenvoud>`,
        });
        await Mail.updateOne({ _id: mail._id }, { $set: { status: 'sent', sentAt: new Date().toISOString() }, $inc: { attempts: 1 } });
        done.push(mail._id);
        sent += 1;
      } catch (err) {
        opts.logger.warn({ err, mail: mail._id }, 'mail delivery failed; will retry');
        await Mail.updateOne({ _id: mail._id }, { $set: { lastError: String(err) }, $inc: { attempts: 1 } });
      }
    }
    // The mailbox: marked sent, then the entries go (a crash in between leaves entries of sent mails, dropped next round).
    if (marks.length) await Mail.bulkWrite(marks, { ordered: false });
    if (done.length)
      await MailQueue.bulkWrite(
        done.map((id) => ({ deleteOne: { filter: { _id: id } } })),
        { ordered: false },
      );
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
