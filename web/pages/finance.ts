// Finance pages: invoice runs with live progress, invoices with documents, line-by-line
// reconciliation (accept, dispute), disputes resolved with a credit note, payments,
// corrections, balances and the netting proposal. The invoicing feature decides who may do
// what; these pages show exactly the actions it offers.
import type { Request, Response, Router } from 'express';
import type { InvoiceWriteAction } from '../../app/invoicing';
import { dutchDate } from '../../domain/dates';
import type { InvoiceAction } from '../../domain/invoice-access';
import { formatEuro } from '../../domain/money';
import { roundingNl } from '../../i18n/nl';
import { barChart } from '../charts';
import { dateIn, euroIn, euroPlain, hoursIn, textIn } from '../format';
import { submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';

type Form = { key?: string; values?: Body; errors?: Errors };
const sendCsv = (res: Response, filename: string, csv: string) =>
  res.set('cache-control', 'private, no-store').type('text/csv').attachment(filename).send(csv);

export function financePages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.invoicing;

  const searchOf = (req: Request) => (typeof req.query.zoek === 'string' ? req.query.zoek.slice(0, 200) : '');
  router.get('/facturen', async (req, res) => {
    const q = searchOf(req);
    const r = await uc.rows(actorOf(req), q ? { q } : {});
    await ctx.page(req, res, 'invoices', {
      title: 'Facturen',
      q,
      csv: q ? `/facturen.csv?${new URLSearchParams({ zoek: q })}` : '/facturen.csv',
      outgoing: r.outgoing ?? [],
      incoming: r.incoming ?? [],
      isProvider: r.outgoing !== null,
      isBuyer: r.incoming !== null,
    });
  });

  // CSV downloads with the session: the same CSV as GET /api/exports/invoices.csv and /api/balances.csv.
  router.get('/facturen.csv', async (req, res) => {
    const q = searchOf(req);
    sendCsv(res, 'facturen.csv', await uc.invoicesCsv(actorOf(req), q ? { q } : {}));
  });
  router.get('/saldi.csv', async (req, res) => sendCsv(res, 'saldi.csv', await uc.balancesCsv(actorOf(req))));

  const detail = async (req: Request, res: Response, form: Form = {}, status = 200) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const d = await uc.detail(actor, id);
    const allowed = (list: { action: InvoiceAction; allowed: boolean }[]) =>
      Object.fromEntries(list.filter((a) => a.allowed).map((a) => [a.action, true])) as Partial<Record<InvoiceAction, boolean>>;
    const can = allowed(d.actions);
    const credit = d.invoice.kind === 'credit_note';
    const capabilities = ctx.app.identity.capabilities(actor);
    // Every hour line opens the time entries it billed, with the rounding in words.
    const spec = credit || d.contribution ? null : await uc.specification(actor, id);
    const specOf = (lineNo: number) => spec?.lines.find((l) => l.lineNo === lineNo) ?? null;
    await ctx.page(
      req,
      res,
      'invoice-detail',
      {
        title: `${credit ? 'Creditnota' : 'Factuur'} ${d.invoice.number}`,
        invoice: d.invoice,
        isCredit: credit,
        // Contribution documents and credit notes bill amounts, not hours.
        amountsOnly: credit || d.contribution,
        contribution: d.contribution,
        back: capabilities.includes('listInvoices') ? { href: '/facturen', label: 'Facturen' } : null,
        providerName: d.providerName,
        buyerName: d.buyerName,
        lines: d.lines.map((l) => {
          const key = `line-${l.lineNo}`;
          const lineCan = allowed(l.actions);
          const lineSpec = specOf(l.lineNo);
          return {
            ...l,
            entries: lineSpec?.entries ?? [],
            roundingText: lineSpec?.rounding ? roundingNl(lineSpec.rounding) : null,
            reason: l.state?.reason ?? null,
            creditedCents: l.state?.creditedCents ?? 0,
            canDecide: Boolean(lineCan.acceptLine || lineCan.disputeLine),
            canAccept: Boolean(lineCan.acceptLine),
            canDispute: Boolean(lineCan.disputeLine),
            canResolve: Boolean(lineCan.resolveDispute),
            errors: form.key === key ? form.errors : {},
            values: form.key === key ? form.values : {},
          };
        }),
        creditNotes: d.creditNotes,
        canPay: Boolean(can.registerPayment),
        canCorrect: Boolean(can.bookCorrection),
        correction: {
          requests: d.correctableRequests.map((r) => ({
            ...r,
            selected: form.key === 'correction' && form.values?.requestId === r.id,
          })),
          values: form.key === 'correction' ? form.values : { date: dutchDate(Date.now()) },
          errors: form.key === 'correction' ? form.errors : {},
        },
        payment: {
          values: form.key === 'payment' ? form.values : { amount: euroPlain(d.invoice.outstandingCents), date: dutchDate(Date.now()) },
          errors: form.key === 'payment' ? form.errors : {},
        },
      },
      status,
    );
  };

  router.get('/facturen/:id', (req, res) => detail(req, res));

  /** One action on the invoice: its form's values and errors stay under `key` when refused. */
  const act = async (
    req: Request,
    res: Response,
    key: string,
    action: InvoiceWriteAction,
    input: Record<string, unknown>,
    done: string,
    lineNo?: number,
  ) => {
    const id = String(req.params.id);
    await submitForm(req, res, {
      run: () => uc.act(actorOf(req), id, action, input, lineNo),
      name: await ctx.namer(),
      fields: { creditCents: 'credit', amountCents: 'amount', minutes: 'hours' },
      again: (errors, status) => detail(req, res, { key, values: req.body as Body, errors }, status),
      done: () => ({ flash: done, to: `/facturen/${id}` }),
    });
  };
  const lineNo = (req: Request) => Number(req.params.lineNo);

  router.post('/facturen/:id/regels/:lineNo/accepteren', (req, res) =>
    act(req, res, `line-${lineNo(req)}`, 'acceptLine', {}, 'De regel is geaccepteerd.', lineNo(req)),
  );
  router.post('/facturen/:id/regels/:lineNo/betwisten', (req, res) =>
    act(
      req,
      res,
      `line-${lineNo(req)}`,
      'disputeLine',
      { reason: textIn((req.body as Body).reason) },
      'De regel is betwist. De leverancier is op de hoogte gebracht.',
      lineNo(req),
    ),
  );
  router.post('/facturen/:id/regels/:lineNo/afhandelen', async (req, res) => {
    const body = req.body as Body;
    const key = `line-${lineNo(req)}`;
    // Crediting asks for the amount and a confirmation (the form's checkbox); rejecting asks for an explanation.
    if (body.decision === 'credit' && body.confirm !== 'ja') {
      const errors: Errors = { confirm: 'Bevestig dat u dit bedrag wilt crediteren; er komt dan een creditnota.' };
      return detail(req, res, { key, values: body, errors }, 400);
    }
    const input =
      body.decision === 'credit'
        ? { creditCents: euroIn(body.credit) ?? null }
        : body.decision === 'reject'
          ? { explanation: textIn(body.explanation) }
          : {};
    await act(
      req,
      res,
      key,
      'resolveDispute',
      input,
      body.decision === 'credit' ? 'De creditnota is gemaakt.' : 'De betwisting is afgewezen.',
      lineNo(req),
    );
  });
  router.post('/facturen/:id/betalingen', (req, res) => {
    const body = req.body as Body;
    return act(
      req,
      res,
      'payment',
      'registerPayment',
      { amountCents: euroIn(body.amount), date: dateIn(body.date), reference: textIn(body.reference) ?? '' },
      'De betaling is geregistreerd.',
    );
  });
  router.post('/facturen/:id/correcties', (req, res) => {
    const body = req.body as Body;
    return act(
      req,
      res,
      'correction',
      'bookCorrection',
      { requestId: textIn(body.requestId), date: dateIn(body.date), minutes: hoursIn(body.hours), description: textIn(body.description) },
      'De correctie is geboekt. Zij wordt gefactureerd in een volgende factuurrun.',
    );
  });

  // Documents: the same renderings as the API, for the signed-in user.
  const sendDocument = (res: Response, doc: { filename: string; type: string; inline: boolean; body: string | Buffer }) => {
    res.set('cache-control', 'private, no-store').type(doc.type);
    if (!doc.inline) res.attachment(doc.filename);
    res.send(doc.body);
  };
  router.get('/facturen/:id/urenspecificatie.csv', async (req, res) => {
    const { filename, csv } = await uc.specificationCsv(actorOf(req), String(req.params.id));
    res.set('cache-control', 'private, no-store').type('text/csv').attachment(filename).send(csv);
  });
  router.get('/facturen/:id/urenspecificatie.pdf', async (req, res) =>
    sendDocument(res, await uc.document(actorOf(req), String(req.params.id), 'hours-pdf')),
  );
  router.get('/facturen/:id/document.html', async (req, res) =>
    sendDocument(res, await uc.document(actorOf(req), String(req.params.id), 'html')),
  );
  router.get('/facturen/:id/document.pdf', async (req, res) =>
    sendDocument(res, await uc.document(actorOf(req), String(req.params.id), 'pdf')),
  );
  router.get('/facturen/:id/ubl.xml', async (req, res) =>
    sendDocument(
      res,
      await uc.document(actorOf(req), String(req.params.id), 'ubl', { profile: req.query.profiel === 'nlcius' ? 'nlcius' : 'peppol' }),
    ),
  );

  // Invoice runs: start one, then watch its progress (polled by /static/invoice-run.js).
  const runForm = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    await ctx.page(
      req,
      res,
      'invoice-run-start',
      { title: 'Factuurrun', values: { ...uc.runDefaults(actorOf(req)), ...values }, errors },
      status,
    );
  };
  router.get('/factuurrun', (req, res) => runForm(req, res));
  router.post('/factuurrun', async (req, res) => {
    const body = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.startRun(actorOf(req), { period: textIn(body.period) }),
      name: await ctx.namer(),
      again: (errors, status) => runForm(req, res, body, errors, status),
      done: (r) => ({
        flash: r.alreadyRunning
          ? 'Deze factuurrun liep al; u ziet de voortgang.'
          : r.rerun
            ? 'Deze periode was al gefactureerd. De run is opnieuw gestart: alleen uren die sindsdien zijn goedgekeurd worden gefactureerd.'
            : undefined,
        to: `/factuurrun/${textIn(body.period)?.trim()}`,
      }),
    });
  });
  const progressOf = async (req: Request) => {
    const p = await uc.runProgress(actorOf(req), String(req.params.period));
    return { ...p, invoices: p.invoices.map((i) => ({ ...i, gross: formatEuro(i.grossCents) })) };
  };
  router.get('/factuurrun/:period', async (req, res) => {
    const progress = await progressOf(req);
    await ctx.page(req, res, 'invoice-run', { title: `Factuurrun ${progress.period}`, progress, scripts: ['/static/invoice-run.js'] });
  });
  router.get('/factuurrun/:period/voortgang', async (req, res) => {
    res.set('cache-control', 'no-store').json(await progressOf(req));
  });

  router.get('/saldi', async (req, res) => {
    const o = await uc.balancesOverview(actorOf(req));
    const chart = barChart({
      id: 'saldi',
      title: 'Openstaande bedragen per paar',
      desc: `Openstaand per leverancier en afnemer waarbij ${o.orgName} partij is, in euro.`,
      format: formatEuro,
      bars: o.balances.map((b) => ({ label: `${b.creditor} → ${b.debtor}`, value: b.outstandingCents })),
    });
    await ctx.page(req, res, 'balances', { title: 'Saldi en verrekening', ...o, chart });
  });
}
