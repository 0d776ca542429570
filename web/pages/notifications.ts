// Meldingen: every mail Eenvoud sent this person, in the app, unread first in bold.
import type { Router } from 'express';
import { actorOf, type WebContext } from '../index';
import { flash } from '../session';

export function notificationPages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.notifications;
  router.get('/meldingen', async (req, res) => {
    const { items, unread } = await uc.list(actorOf(req));
    await ctx.page(req, res, 'notifications', {
      title: 'Meldingen',
      unread,
      items: items.map((n) => ({
        ...n,
        href: n.requestId ? `/aanvragen/${n.requestId}` : n.invoiceId ? `/facturen/${n.invoiceId}` : null,
      })),
    });
  });
  router.post('/meldingen/alles-gelezen', async (req, res) => {
    await uc.markAllRead(actorOf(req));
    flash(req, 'Alle meldingen zijn gelezen.');
    res.redirect(303, '/meldingen');
  });
  router.post('/meldingen/:id/gelezen', async (req, res) => {
    await uc.markRead(actorOf(req), String(req.params.id));
    res.redirect(303, '/meldingen');
  });
}
