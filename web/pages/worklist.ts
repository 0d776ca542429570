// Actie nodig: the caller's worklist, the first page after login.
import type { Router } from 'express';
import { actorOf, type WebContext } from '../index';

export function worklistPages(router: Router, ctx: WebContext): void {
  router.get('/actie-nodig', async (req, res) => {
    const { items, overdue } = await ctx.app.worklist.worklist(actorOf(req));
    await ctx.page(req, res, 'worklist', { title: 'Actie nodig', items, overdue });
  });
}
