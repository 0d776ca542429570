// Finance pages: invoice runs with live progress, invoices with documents, line-by-line
// reconciliation (accept, dispute), credit notes, payments, balances and the netting proposal.
import type { Request, Response, Router } from 'express';
import { balancesCsv, invoicesCsv } from '../../api/routes/invoices';
import * as msg from '../../contracts';
import { invoicePdf } from '../../documents/pdf';
import { invoiceUbl } from '../../documents/ubl';
import { isContributionStepKey } from '../../domain/contributions';
import { DomainError } from '../../domain/errors';
import { formatEuro } from '../../domain/money';
import { dutchDate } from '../../domain/time';
import { barChart } from '../charts';
import { parseDate, parseEuro, parseHours } from '../format';
import { actorOf, requireRoleWeb, type WebContext } from '../router';
import { flash } from '../session';

type Body = Record<string, string | undefined>;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function financePages(router: Router, ctx: WebContext): void {
  const uc = ctx.invoices;

  router.get('/facturen', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'provider_finance', 'buyer_finance');
    const all = await uc.list(actor);
    const row = async (i: (typeof all)[number]) => ({
      id: i._id,
      number: i.number,
      kind: i.kind === 'credit_note' ? 'Creditnota' : 'Factuur',
      providerName: await ctx.orgName(i.provider),
      buyerName: await ctx.orgName(i.buyer),
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      grossCents: i.grossCents,
      outstandingCents: i.kind === 'credit_note' ? null : i.outstandingCents,
      status: i.status,
      overdue: i.overdue,
    });
    await ctx.page(req, res, 'invoices', {
      title: 'Facturen',
      outgoing: await Promise.all(all.filter((i) => i.provider === actor.org).map(row)),
      incoming: await Promise.all(all.filter((i) => i.buyer === actor.org).map(row)),
      isProvider: actor.roles.includes('provider_finance'),
      isBuyer: actor.roles.includes('buyer_finance'),
    });
  });

  // CSV downloads with the session: the same CSV as GET /api/exports/invoices.csv and /api/balances.csv.
  router.get('/facturen.csv', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'provider_finance', 'buyer_finance');
    res
      .set('cache-control', 'no-store')
      .type('text/csv')
      .attachment('facturen.csv')
      .send(invoicesCsv(await uc.list(actor)));
  });
  router.get('/saldi.csv', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'provider_finance', 'buyer_finance');
    res
      .set('cache-control', 'no-store')
      .type('text/csv')
      .attachment('saldi.csv')
      .send(balancesCsv(await uc.balances(actor)));
  });

  const detail = async (
    req: Request,
    res: Response,
    form: { key?: string; values?: Body; errors?: Record<string, string> } = {},
    status = 200,
  ) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const invoice = await uc.get(actor, id);
    const isBuyer = invoice.buyer === actor.org && actor.roles.includes('buyer_finance');
    const isProvider = invoice.provider === actor.org && actor.roles.includes('provider_finance');
    const open = invoice.kind === 'invoice' && invoice.status !== 'paid';
    const lines =
      invoice.kind === 'invoice'
        ? (await uc.reconciliation(actor, id)).lines.map((l) => ({
            ...l,
            status: l.state?.status ?? 'open',
            reason: l.state?.reason ?? null,
            creditedCents: l.state?.creditedCents ?? 0,
            grossCents: l.state?.grossCents ?? l.amountCents,
            canDecide: isBuyer && open && (l.state?.status ?? 'open') === 'open',
            canResolve: isProvider && open && l.state?.status === 'disputed',
            errors: form.key === `line-${l.lineNo}` ? form.errors : {},
            values: form.key === `line-${l.lineNo}` ? form.values : {},
          }))
        : invoice.lines.map((l, i) => ({ ...l, lineNo: i + 1, status: null }));
    const creditNotes = await Promise.all(
      (invoice.creditNoteIds ?? []).map(async (cid) => {
        try {
          const c = await uc.get(actor, cid);
          return { id: c._id, number: c.number, grossCents: c.grossCents };
        } catch {
          return null;
        }
      }),
    );
    await ctx.page(
      req,
      res,
      'invoice-detail',
      {
        title: `${invoice.kind === 'credit_note' ? 'Creditnota' : 'Factuur'} ${invoice.number}`,
        invoice,
        isCredit: invoice.kind === 'credit_note',
        providerName: await ctx.orgName(invoice.provider),
        buyerName: await ctx.orgName(invoice.buyer),
        lines,
        creditNotes: creditNotes.filter(Boolean),
        canPay: isBuyer && open && invoice.outstandingCents > 0,
        // A correction: a new approved entry for a request on this invoice, billed in a later run.
        canCorrect: isProvider && invoice.kind === 'invoice' && !isContributionStepKey(invoice.runKey),
        correction: {
          requests: (
            await ctx.models.Request.find({ _id: { $in: invoice.lines.map((l) => l.requestId).filter(Boolean) } })
              .select({ title: 1 })
              .sort({ _id: 1 })
              .lean()
          ).map((r) => ({
            id: r._id,
            title: r.title,
            selected: form.key === 'correction' && form.values?.requestId === r._id,
          })),
          values: form.key === 'correction' ? form.values : { date: dutchDate(Date.now()) },
          errors: form.key === 'correction' ? form.errors : {},
        },
        payment: {
          values:
            form.key === 'payment'
              ? form.values
              : { amount: formatEuro(invoice.outstandingCents).replace(/€\s?/, ''), date: dutchDate(Date.now()) },
          errors: form.key === 'payment' ? form.errors : {},
        },
      },
      status,
    );
  };

  router.get('/facturen/:id', (req, res) => detail(req, res));

  const act = async (req: Request, res: Response, key: string, run: () => Promise<unknown>, done: string) => {
    try {
      await run();
    } catch (err) {
      if (!(err instanceof DomainError) || !['BadInput', 'Conflict', 'InvalidState', 'Forbidden'].includes(err.kind)) throw err;
      const message =
        err.kind === 'Forbidden'
          ? 'U mag deze actie niet uitvoeren.'
          : err.kind === 'InvalidState'
            ? 'Dit kan niet meer in de huidige stand van de factuur.'
            : 'Deze invoer is niet toegestaan. Controleer het bedrag en de datum.';
      return detail(req, res, { key, values: req.body as Body, errors: { _form: message } }, err.kind === 'BadInput' ? 400 : 409);
    }
    flash(req, done);
    res.redirect(303, `/facturen/${req.params.id}`);
  };
  const lineNo = (req: Request) => {
    const n = Number(req.params.lineNo);
    if (!Number.isInteger(n) || n < 1) throw new DomainError('NotFound', 'no such line');
    return n;
  };

  router.post('/facturen/:id/regels/:lineNo/accepteren', (req, res) =>
    act(
      req,
      res,
      `line-${lineNo(req)}`,
      () => uc.act(actorOf(req), String(req.params.id), msg.acceptLine, { lineNo: lineNo(req) }),
      'De regel is geaccepteerd.',
    ),
  );
  router.post('/facturen/:id/regels/:lineNo/betwisten', async (req, res) => {
    const reason = String((req.body as Body).reason ?? '').trim();
    if (!reason)
      return detail(
        req,
        res,
        { key: `line-${lineNo(req)}`, values: req.body, errors: { reason: 'Geef de reden van de betwisting op.' } },
        400,
      );
    return act(
      req,
      res,
      `line-${lineNo(req)}`,
      () => uc.act(actorOf(req), String(req.params.id), msg.disputeLine, { lineNo: lineNo(req), reason }),
      'De regel is betwist. De leverancier is op de hoogte gebracht.',
    );
  });
  router.post('/facturen/:id/regels/:lineNo/afhandelen', async (req, res) => {
    const body = req.body as Body;
    const key = `line-${lineNo(req)}`;
    if (body.decision === 'credit') {
      const cents = parseEuro(body.credit);
      if (!cents || cents < 1)
        return detail(
          req,
          res,
          { key, values: body, errors: { credit: 'Vul het bedrag van de creditnota in, bijvoorbeeld 365,63.' } },
          400,
        );
      return act(
        req,
        res,
        key,
        () => uc.act(actorOf(req), String(req.params.id), msg.resolveDispute, { lineNo: lineNo(req), creditCents: cents }),
        'De creditnota is gemaakt.',
      );
    }
    if (body.decision === 'reject') {
      const explanation = String(body.explanation ?? '').trim();
      if (!explanation)
        return detail(req, res, { key, values: body, errors: { explanation: 'Leg uit waarom de betwisting wordt afgewezen.' } }, 400);
      return act(
        req,
        res,
        key,
        () => uc.act(actorOf(req), String(req.params.id), msg.resolveDispute, { lineNo: lineNo(req), explanation }),
        'De betwisting is afgewezen.',
      );
    }
    return detail(req, res, { key, values: body, errors: { decision: 'Kies crediteren of afwijzen.' } }, 400);
  });
  router.post('/facturen/:id/betalingen', async (req, res) => {
    const body = req.body as Body;
    const errors: Record<string, string> = {};
    const amountCents = parseEuro(body.amount);
    if (!amountCents || amountCents < 1) errors.amount = 'Vul een bedrag in, bijvoorbeeld 1.234,56.';
    const date = parseDate(body.date);
    if (!date) errors.date = 'Vul een geldige datum in (dd-mm-jjjj).';
    if (Object.keys(errors).length) return detail(req, res, { key: 'payment', values: body, errors }, 400);
    return act(
      req,
      res,
      'payment',
      () =>
        uc.act(actorOf(req), String(req.params.id), msg.registerPayment, {
          amountCents: amountCents!,
          date: date!,
          reference: String(body.reference ?? '').slice(0, 200),
        }),
      'De betaling is geregistreerd.',
    );
  });

  router.post('/facturen/:id/correcties', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'provider_finance');
    const body = req.body as Body;
    const errors: Record<string, string> = {};
    const requestId = String(body.requestId ?? '').trim();
    if (!requestId) errors.requestId = 'Kies de opdracht van de correctie.';
    const date = parseDate(body.date);
    if (!date) errors.date = 'Vul een geldige datum in (dd-mm-jjjj).';
    else if (date > dutchDate(Date.now())) errors.date = 'Een datum in de toekomst kan niet.';
    const minutes = parseHours(body.hours);
    if (minutes === null || minutes < 1) errors.hours = 'Vul een aantal uren in, bijvoorbeeld 1,5 of 1:30.';
    else if (minutes > 1440) errors.hours = 'Dat is meer dan 24 uur; boek grotere correcties in delen per dag.';
    const description = String(body.description ?? '').trim();
    if (!description) errors.description = 'Beschrijf de correctie.';
    else if (description.length > 2000) errors.description = 'Gebruik hoogstens 2000 tekens.';
    if (Object.keys(errors).length) return detail(req, res, { key: 'correction', values: body, errors }, 400);
    try {
      await uc.correction(actor, String(req.params.id), { requestId, date: date!, minutes: minutes!, description });
    } catch (err) {
      if (!(err instanceof DomainError) || !['BadInput', 'Forbidden'].includes(err.kind)) throw err;
      const field = err.details?.field === 'requestId' ? 'requestId' : err.details?.field === 'date' ? 'date' : '_form';
      const message =
        field === 'requestId'
          ? 'Deze opdracht staat niet op deze factuur.'
          : field === 'date'
            ? 'Deze datum kan niet.'
            : 'U mag voor deze factuur geen correctie boeken.';
      return detail(req, res, { key: 'correction', values: body, errors: { [field]: message } }, err.kind === 'Forbidden' ? 403 : 400);
    }
    flash(req, 'De correctie is geboekt. Zij wordt gefactureerd in een volgende factuurrun.');
    res.redirect(303, `/facturen/${req.params.id}`);
  });

  // Documents: the same renderings as the API, for the signed-in user.
  router.get('/facturen/:id/document.html', async (req, res) => {
    const v = await uc.view(actorOf(req), String(req.params.id));
    res.type('html').send(ctx.views.render('documents/invoice', v as unknown as Record<string, unknown>, 'documents/layout'));
  });
  router.get('/facturen/:id/document.pdf', async (req, res) => {
    const v = await uc.view(actorOf(req), String(req.params.id));
    res
      .type('application/pdf')
      .attachment(`${v.number}.pdf`)
      .send(await invoicePdf(v));
  });
  router.get('/facturen/:id/ubl.xml', async (req, res) => {
    const v = await uc.view(actorOf(req), String(req.params.id));
    const profile = req.query.profiel === 'nlcius' ? 'nlcius' : 'peppol';
    res.type('application/xml').attachment(`${v.number}.xml`).send(invoiceUbl(v, profile));
  });

  // Invoice runs: start one, then watch its progress (polled by /static/invoice-run.js).
  const runForm = async (req: Request, res: Response, values: Body = {}, errors: Record<string, string> = {}, status = 200) => {
    requireRoleWeb(actorOf(req), 'provider_finance');
    await ctx.page(
      req,
      res,
      'invoice-run-start',
      { title: 'Factuurrun', values: { period: dutchDate(Date.now()).slice(0, 7), ...values }, errors },
      status,
    );
  };
  router.get('/factuurrun', (req, res) => runForm(req, res));
  router.post('/factuurrun', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'provider_finance');
    const period = String((req.body as Body).period ?? '').trim();
    if (!PERIOD.test(period))
      return runForm(req, res, { period }, { period: 'Vul een periode in als jjjj-mm, bijvoorbeeld 2026-11.' }, 400);
    try {
      await uc.startRun(actor, period);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'BadInput')
        return runForm(req, res, { period }, { period: 'Deze periode is nog niet begonnen.' }, 400);
      throw err;
    }
    res.redirect(303, `/factuurrun/${period}`);
  });
  const progressOf = async (req: Request) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'provider_finance');
    const period = String(req.params.period);
    if (!PERIOD.test(period)) throw new DomainError('NotFound', 'no such period');
    const p = await uc.runProgress(actor, period);
    const invoices = await Promise.all(
      p.invoiceIds.map(async (id) => {
        const i = await uc.get(actor, id).catch(() => null);
        return i
          ? { id, number: i.number, buyerName: await ctx.orgName(i.buyer), grossCents: i.grossCents, gross: formatEuro(i.grossCents) }
          : null;
      }),
    );
    return {
      period,
      phase: p.phase,
      status: p.status,
      // Any closed run is done; one that did not complete (failed, cancelled, terminated) says so.
      done: p.phase === 'done' || p.status !== 'RUNNING',
      failed: !['RUNNING', 'COMPLETED'].includes(p.status),
      entriesTotal: p.entriesTotal,
      entriesProcessed: p.entriesProcessed,
      buyersTotal: p.buyersTotal,
      invoicesMade: p.invoicesMade,
      percent: p.entriesTotal ? Math.round((p.entriesProcessed / p.entriesTotal) * 100) : p.phase === 'done' ? 100 : 0,
      invoices: invoices.filter(Boolean),
    };
  };
  router.get('/factuurrun/:period', async (req, res) => {
    const progress = await progressOf(req);
    await ctx.page(req, res, 'invoice-run', { title: `Factuurrun ${progress.period}`, progress, scripts: ['/static/invoice-run.js'] });
  });
  router.get('/factuurrun/:period/voortgang', async (req, res) => {
    res.set('cache-control', 'no-store').json(await progressOf(req));
  });

  router.get('/saldi', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'provider_finance', 'buyer_finance');
    const balances = await uc.balances(actor);
    const netting = await uc.netting(actor);
    const codes = [...new Set(balances.flatMap((b) => [b.creditor, b.debtor]))].sort();
    const names = Object.fromEntries(await Promise.all(codes.map(async (c) => [c, await ctx.orgName(c)] as const)));
    const matrix = codes.map((creditor) => ({
      name: names[creditor],
      cells: codes.map((debtor) => {
        const b = balances.find((x) => x.creditor === creditor && x.debtor === debtor);
        return { value: b ? b.outstandingCents : null, self: creditor === debtor };
      }),
    }));
    const chart = barChart({
      id: 'saldi',
      title: 'Openstaande bedragen per paar',
      desc: `Openstaand per leverancier en afnemer waarbij ${names[actor.org] ?? actor.org} partij is, in euro.`,
      format: formatEuro,
      bars: balances.map((b) => ({ label: `${b.creditor} → ${b.debtor}`, value: b.outstandingCents })),
    });
    await ctx.page(req, res, 'balances', {
      title: 'Saldi en verrekening',
      balances: balances.map((b) => ({ ...b, creditorName: names[b.creditor], debtorName: names[b.debtor] })),
      columns: codes.map((c) => ({ code: c, name: names[c] })),
      matrix,
      chart,
      netPositionCents: netting.netPositionCents,
      transfers: await Promise.all(
        netting.transfers.map(async (t) => ({ ...t, fromName: await ctx.orgName(t.from), toName: await ctx.orgName(t.to) })),
      ),
    });
  });
}
