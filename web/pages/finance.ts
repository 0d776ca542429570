// Finance pages: invoice runs with live progress, invoices with documents, line-by-line
// reconciliation (accept, dispute), disputes resolved with a credit note, payments,
// corrections, balances and the netting proposal. The invoicing feature decides who may do
// what; these pages show exactly the actions it offers.
import type { Request, Response, Router } from 'express';
import { INVOICE_SORTS, type InvoiceWriteAction } from '../../app/invoicing';
import { dutchDate } from '../../domain/dates';
import { INVOICE_DISPLAY_STATUSES, type InvoiceAction } from '../../domain/invoice-access';
import { formatEuro } from '../../domain/money';
import { INVOICE_STATUS_NL, NETTING_STATUS_NL, roundingNl } from '../../i18n/nl';
import { barChart } from '../charts';
import { dateIn, euroIn, euroPlain, hoursIn, textIn } from '../format';
import { submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';
import { nettingPages } from './netting';

type Form = { key?: string; values?: Body; errors?: Errors };
const sendCsv = (res: Response, filename: string, csv: string) =>
  res.set('cache-control', 'private, no-store').type('text/csv').attachment(filename).send(csv);

const INVOICE_SORTS_NL: { value: (typeof INVOICE_SORTS)[number]; label: string }[] = [
  { value: '-issueDate', label: 'Nieuwste eerst' },
  { value: 'issueDate', label: 'Oudste eerst' },
  { value: 'dueDate', label: 'Vervaldatum (eerst)' },
  { value: '-grossCents', label: 'Hoogste bedrag eerst' },
  { value: 'number', label: 'Factuurnummer' },
];

export function financePages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.invoicing;

  /** The list's filter from the URL (zoek, status, sortering), so a filtered list can be bookmarked. */
  const filterOf = (req: Request) => {
    const pick = <T extends string>(v: unknown, allowed: readonly T[]): T | '' =>
      typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : '';
    return {
      q: typeof req.query.zoek === 'string' ? req.query.zoek.slice(0, 200) : '',
      status: pick(req.query.status, INVOICE_DISPLAY_STATUSES),
      sort: pick(req.query.sortering, INVOICE_SORTS) || '-issueDate',
    };
  };
  const apiFilter = (f: ReturnType<typeof filterOf>) => ({
    ...(f.q ? { q: f.q } : {}),
    ...(f.status ? { status: f.status } : {}),
    sort: f.sort,
  });
  const urlOf = (path: string, f: ReturnType<typeof filterOf>, extra: Record<string, string> = {}) => {
    const params = new URLSearchParams({
      ...(f.q ? { zoek: f.q } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.sort !== '-issueDate' ? { sortering: f.sort } : {}),
      ...extra,
    }).toString();
    return params ? `${path}?${params}` : path;
  };
  const PAGE_SIZE = 25;
  /** One table's page: `uit` pages the outgoing invoices, `in` the incoming ones. */
  const paged = <T>(rows: T[] | null, param: string, req: Request, f: ReturnType<typeof filterOf>, other: Record<string, string>) => {
    if (!rows) return { rows: [] as T[], total: 0, page: 1, pages: 1, previous: null, next: null };
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    const asked = /^\d{1,4}$/.test(String(req.query[param] ?? '')) ? Number(req.query[param]) : 1;
    const page = Math.min(Math.max(1, asked), pages);
    const link = (n: number) => urlOf('/facturen', f, { ...other, [param]: String(n) });
    return {
      rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      total: rows.length,
      page,
      pages,
      previous: page > 1 ? link(page - 1) : null,
      next: page < pages ? link(page + 1) : null,
    };
  };
  router.get('/facturen', async (req, res) => {
    const f = filterOf(req);
    const r = await uc.rows(actorOf(req), apiFilter(f));
    const keep = (param: string) => (/^\d{1,4}$/.test(String(req.query[param] ?? '')) ? { [param]: String(req.query[param]) } : {});
    await ctx.page(req, res, 'invoices', {
      title: 'Facturen',
      f,
      filtered: Boolean(f.q || f.status),
      statuses: INVOICE_DISPLAY_STATUSES.map((s) => ({ value: s, label: INVOICE_STATUS_NL[s], selected: s === f.status })),
      sorts: INVOICE_SORTS_NL.map((s) => ({ ...s, selected: s.value === f.sort })),
      csv: urlOf('/facturen.csv', f),
      outgoing: paged(r.outgoing, 'uit', req, f, keep('in')),
      incoming: paged(r.incoming, 'in', req, f, keep('uit')),
      isProvider: r.outgoing !== null,
      isBuyer: r.incoming !== null,
    });
  });

  // CSV downloads with the session: the same CSV as GET /api/exports/invoices.csv and /api/balances.csv.
  router.get('/facturen.csv', async (req, res) => {
    sendCsv(res, 'facturen.csv', await uc.invoicesCsv(actorOf(req), apiFilter(filterOf(req))));
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
    // The payment forms start at what is outstanding, today.
    const paymentForm = (key: string) => ({
      values: form.key === key ? form.values : { amount: euroPlain(d.invoice.outstandingCents), date: dutchDate(Date.now()) },
      errors: form.key === key ? form.errors : {},
    });
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
        canReceive: Boolean(can.registerReceipt),
        canCorrect: Boolean(can.bookCorrection),
        correction: {
          requests: d.correctableRequests.map((r) => ({
            ...r,
            selected: form.key === 'correction' && form.values?.requestId === r.id,
          })),
          values: form.key === 'correction' ? form.values : { date: dutchDate(Date.now()) },
          errors: form.key === 'correction' ? form.errors : {},
        },
        payment: paymentForm('payment'),
        receipt: paymentForm('receipt'),
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
  // A payment: the buyer's (it paid) or the provider's (it received one the bank import could not place).
  const payment = (path: string, key: 'payment' | 'receipt', action: 'registerPayment' | 'registerReceipt', done: string) =>
    router.post(`/facturen/:id/${path}`, (req, res) => {
      const body = req.body as Body;
      const input = { amountCents: euroIn(body.amount), date: dateIn(body.date), reference: textIn(body.reference) ?? '' };
      return act(req, res, key, action, input, done);
    });
  payment('betalingen', 'payment', 'registerPayment', 'De betaling is geregistreerd.');
  payment('ontvangsten', 'receipt', 'registerReceipt', 'De ontvangst is geregistreerd.');
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

  const balancesPage = async (req: Request, res: Response, errors: Errors = {}, status = 200) => {
    const actor = actorOf(req);
    const o = await uc.balancesOverview(actor);
    const chart = barChart({
      id: 'saldi',
      title: 'Openstaande bedragen per paar',
      desc: `Openstaand per leverancier en afnemer waarbij ${o.orgName} partij is, in euro.`,
      format: formatEuro,
      bars: o.balances.map((b) => ({ label: `${b.creditor} → ${b.debtor}`, value: b.outstandingCents })),
    });
    const rounds = (await ctx.app.netting.list(actor)).map((r) => ({
      ...r,
      statusText: NETTING_STATUS_NL[r.status] ?? r.status,
      agreed: r.parties.filter((p) => p.agreed).length,
    }));
    // Without anything outstanding the proposal would only be refused: say so instead of offering it.
    const anythingOpen = o.balances.some((b) => b.outstandingCents > 0);
    await ctx.page(req, res, 'balances', { title: 'Saldi en verrekening', ...o, chart, rounds, anythingOpen, errors }, status);
  };
  router.get('/saldi', (req, res) => balancesPage(req, res));
  nettingPages(router, ctx, balancesPage);
}
