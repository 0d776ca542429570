// Notifications in the app: every mail Eenvoud sends also shows here, unread until its reader
// marks it read. Only the recipient sees their own.
import { notFound } from '../../domain/refusals';
import { assertOrgAction, type Actor } from '../../domain/roles';
import type { AppDeps } from '../core/deps';

export interface Notification {
  id: string;
  subject: string;
  kind: string;
  createdAt: string;
  read: boolean;
  requestId: string | null;
  invoiceId: string | null;
}

export function notificationFeature({ models }: AppDeps) {
  const unread = (actor: Actor) => models.Mail.countDocuments({ to: actor.userId, readAt: null });

  return {
    /** My latest notifications, newest first, and how many are unread. */
    async list(actor: Actor): Promise<{ items: Notification[]; unread: number }> {
      assertOrgAction(actor, 'viewNotifications');
      const mails = await models.Mail.find({ to: actor.userId })
        .select({ subject: 1, kind: 1, createdAt: 1, readAt: 1, requestId: 1, invoiceId: 1 })
        .sort({ createdAt: -1, _id: -1 })
        .limit(100)
        .lean();
      return {
        items: mails.map((m) => ({
          id: m._id,
          subject: m.subject,
          kind: m.kind,
          createdAt: m.createdAt,
          read: Boolean(m.readAt),
          requestId: m.requestId ?? null,
          invoiceId: (m as { invoiceId?: string | null }).invoiceId ?? null,
        })),
        unread: await unread(actor),
      };
    },
    unreadCount: (actor: Actor) => unread(actor),
    /** Marks one of my notifications read (idempotent); someone else's is not found. */
    async markRead(actor: Actor, id: string): Promise<{ unread: number }> {
      assertOrgAction(actor, 'viewNotifications');
      const mine = await models.Mail.exists({ _id: id, to: actor.userId });
      if (!mine) throw notFound('notification');
      await models.Mail.updateOne({ _id: id, to: actor.userId, readAt: null }, { $set: { readAt: new Date().toISOString() } });
      return { unread: await unread(actor) };
    },
    async markAllRead(actor: Actor): Promise<{ unread: number }> {
      assertOrgAction(actor, 'viewNotifications');
      await models.Mail.updateMany({ to: actor.userId, readAt: null }, { $set: { readAt: new Date().toISOString() } });
      return { unread: await unread(actor) };
    },
  };
}
export type NotificationFeature = ReturnType<typeof notificationFeature>;
