// Writing mails to the outbox: the queue entry first, then the mail. A crash between the two
// leaves an entry without its mail, which the retried action completes (both inserts are
// idempotent by _id) and the dispatcher drops when it stays alone; the other order could leave
// a mail that is never sent.
import { ignoreDuplicateKey, type Models } from './index';

export async function enqueueMails(
  models: Models,
  mails: readonly ({ _id: string; createdAt: string } & Record<string, unknown>)[],
): Promise<void> {
  if (!mails.length) return;
  await models.MailQueue.insertMany(
    mails.map((m) => ({ _id: m._id, at: m.createdAt })),
    { ordered: false },
  ).catch(ignoreDuplicateKey);
  await models.Mail.insertMany(mails, { ordered: false }).catch(ignoreDuplicateKey);
}
