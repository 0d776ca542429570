// Netting rounds on the pages: finance proposes a round on the balances page, each party's
// finance agrees or rejects it on the round's page, and the page shows what was settled. The
// netting feature decides; these pages translate.
import type { Request, Response, Router } from 'express';
import { AUDIT_ACTION_NL, NETTING_STATUS_NL } from '../../i18n/nl';
import { str, submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';

export function nettingPages(
  router: Router,
  ctx: WebContext,
  balancesPage: (req: Request, res: Response, errors: Errors, status: number) => Promise<void>,
): void {
  const uc = ctx.app.netting;

  router.post('/saldi/verrekenronde', async (req, res) =>
    submitForm(req, res, {
      run: () => uc.propose(actorOf(req)),
      name: await ctx.namer(),
      again: (errors, status) => balancesPage(req, res, errors, status),
      done: (r) => ({
        flash: r.alreadyProposed
          ? 'Deze verrekenronde was al voorgesteld: dezelfde openstaande facturen.'
          : `Verrekenronde voorgesteld met ${r.invoiceCount} ${r.invoiceCount === 1 ? 'factuur' : 'facturen'}. Alle ${r.parties.length} partijen moeten nu instemmen.`,
        to: `/saldi/verrekenronde/${encodeURIComponent(r.id)}`,
      }),
    }),
  );

  const detail = async (req: Request, res: Response, errors: Errors = {}, status = 200, values: Body = {}) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const r = await uc.get(actor, id);
    const history = await uc.history(actor, id);
    const agreed = r.parties.filter((p) => p.agreed).length;
    await ctx.page(
      req,
      res,
      'netting-round',
      {
        title: `Verrekenronde ${r.id}`,
        r,
        statusText: NETTING_STATUS_NL[r.status] ?? r.status,
        agreed,
        waitingFor: r.parties.filter((p) => !p.agreed).map((p) => p.name),
        receivable: r.invoices.filter((i) => i.side === 'receivable'),
        payable: r.invoices.filter((i) => i.side === 'payable'),
        history: history.map((h) => ({ ...h, actionText: AUDIT_ACTION_NL[h.action] ?? h.action })),
        errors,
        values,
      },
      status,
    );
  };
  router.get('/saldi/verrekenronde/:id', (req, res) => detail(req, res));
  router.post('/saldi/verrekenronde/:id/instemmen', async (req, res) =>
    submitForm(req, res, {
      run: () => uc.agree(actorOf(req), String(req.params.id)),
      name: await ctx.namer(),
      again: (errors, status) => detail(req, res, errors, status),
      done: (r) => ({
        flash: r.parties.every((p) => p.agreed)
          ? 'U heeft ingestemd. Alle partijen hebben nu ingestemd: de facturen worden verrekend.'
          : `U heeft ingestemd. Nog ${r.parties.filter((p) => !p.agreed).length} van de ${r.parties.length} partijen moeten instemmen.`,
        to: `/saldi/verrekenronde/${encodeURIComponent(r.id)}`,
      }),
    }),
  );
  router.post('/saldi/verrekenronde/:id/afwijzen', async (req, res) => {
    const body = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.reject(actorOf(req), String(req.params.id), { reason: str(body.reden) }),
      name: await ctx.namer(),
      fields: { reason: 'reden' },
      again: (errors, status) => detail(req, res, errors, status, body),
      done: (r) => ({
        flash: 'U heeft de verrekenronde afgewezen. Er is niets verrekend.',
        to: `/saldi/verrekenronde/${encodeURIComponent(r.id)}`,
      }),
    });
  });
}
