// Request pages: the municipality portal (new request, my requests, decisions) and the centre
// workspace (intake, assignment, my tasks, hours in a week view, review queue, workload).
// Forms become the request feature's inputs; its answers and refusals become Dutch pages.
import type { Request, Response, Router } from 'express';
import type { ActionInfo } from '../../domain/access';
import { addDays, dutchDate } from '../../domain/dates';
import { REQUEST_STATUSES, type RequestAction } from '../../domain/lifecycle';
import type { OrgAction } from '../../domain/roles';
import { pipeline } from 'node:stream/promises';
import { refuse } from '../../domain/refusals';
import { ALLOWED_TYPES_NL, dateNl, hoursNl, REQUEST_ACTION_NL } from '../../i18n/nl';
import { burnDownChart } from '../charts';
import { dateIn, hoursIn, textIn } from '../format';
import { errorList, str, submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';
import { uploadsOf } from '../multipart';

/** Form fields per action: the feature's input read from the form (values as typed are the feature's to check). */
const FORMS: { [A in RequestAction]?: (b: Body) => Record<string, unknown> } = {
  acceptIntake: (b) => ({ estimateMinutes: hoursIn(b.estimateHours), note: textIn(b.note) }),
  rejectIntake: (b) => ({ reason: textIn(b.reason) }),
  askClarification: (b) => ({ text: textIn(b.text) }),
  answerClarification: (b) => ({ text: textIn(b.text) }),
  approveQuote: () => ({}),
  declineQuote: (b) => ({ reason: textIn(b.reason) }),
  assign: (b) => ({ assignee: textIn(b.assignee) }),
  logTime: (b) => ({ date: dateIn(b.date), minutes: hoursIn(b.hours), description: textIn(b.description) }),
  deleteTime: (b) => ({ entryId: textIn(b.entryId) }),
  approveTime: (b) => ({ upTo: dateIn(b.upTo) }),
  requestBudgetExtension: (b) => ({ extraMinutes: hoursIn(b.extraHours), reason: textIn(b.reason) }),
  decideBudgetExtension: (b) => decision(b),
  submitResult: (b) => ({ reference: textIn(b.reference), notes: textIn(b.notes) ?? '' }),
  nominateReviewer: (b) => ({ reviewer: textIn(b.reviewer) }),
  review: (b) => decision(b),
  acceptResult: () => ({}),
  rejectResult: (b) => ({ reason: textIn(b.reason) }),
  cancel: (b) => ({ reason: textIn(b.reason) }),
};
const decision = (b: Body) => ({
  approved: b.decision === 'approve' ? true : b.decision === 'reject' ? false : undefined,
  reason: textIn(b.reason),
});
/** The feature's field names as the forms call them. */
const FIELDS = { minutes: 'hours', estimateMinutes: 'estimateHours', extraMinutes: 'extraHours', approved: 'decision', file: 'bestanden' };
const ATTACHMENT_FIELD = { file: 'bestanden' };

const CONTEXT_NL: Record<string, string> = {
  request: 'Bij de aanvraag',
  question: 'Bij een vraag',
  answer: 'Bij een antwoord',
  result: 'Resultaat',
};
const sizeNl = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024)).toLocaleString('nl-NL')} kB`
    : `${(bytes / (1024 * 1024)).toLocaleString('nl-NL', { maximumFractionDigits: 1 })} MB`;

const DONE: { [A in RequestAction]?: string } = {
  acceptIntake: 'De intake is geaccepteerd.',
  rejectIntake: 'De aanvraag is afgewezen.',
  askClarification: 'Uw vraag is naar de opdrachtgever gestuurd.',
  answerClarification: 'Uw antwoord is verstuurd.',
  approveQuote: 'De offerte is goedgekeurd.',
  declineQuote: 'De offerte is afgewezen.',
  assign: 'De medewerker is toegewezen.',
  logTime: 'De uren zijn geregistreerd.',
  deleteTime: 'De registratie is verwijderd.',
  approveTime: 'De uren zijn goedgekeurd.',
  requestBudgetExtension: 'De budgetuitbreiding is aangevraagd.',
  decideBudgetExtension: 'Uw besluit over de budgetuitbreiding is vastgelegd.',
  submitResult: 'Het resultaat is aangeboden.',
  nominateReviewer: 'De toetser is aangewezen en krijgt bericht.',
  review: 'Uw toetsing is vastgelegd.',
  acceptResult: 'U heeft het resultaat geaccepteerd.',
  rejectResult: 'Het resultaat is teruggestuurd.',
  cancel: 'De opdracht is geannuleerd.',
};

/** Refusals worth explaining next to the actions (state mismatches are not: those forms are simply absent). */
const EXPLAINED = new Set(['four_eyes', 'only_assignee', 'standing_order_has_no_result', 'extension_pending', 'no_budget_to_extend']);

/** The orders a list can be sorted in. */
const SORTS_NL = [
  { value: '-submittedAt', label: 'Nieuwste eerst' },
  { value: 'submittedAt', label: 'Oudste eerst' },
  { value: 'title', label: 'Titel (A–Z)' },
  { value: '-updatedAt', label: 'Laatst gewijzigd' },
];

export function requestPages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.requests;
  const mayOpen = (req: Request, action: OrgAction) => ctx.app.identity.capabilities(actorOf(req)).includes(action);

  /** The list's filter from the URL (zoek, status, sortering, pagina), so a filtered list can be bookmarked. */
  const filterOf = (req: Request) => {
    const q = typeof req.query.zoek === 'string' ? req.query.zoek.slice(0, 200) : '';
    const status =
      typeof req.query.status === 'string' && (REQUEST_STATUSES as readonly string[]).includes(req.query.status) ? req.query.status : '';
    const sort =
      typeof req.query.sortering === 'string' && SORTS_NL.some((s) => s.value === req.query.sortering)
        ? req.query.sortering
        : '-submittedAt';
    const page = /^\d{1,4}$/.test(String(req.query.pagina ?? '')) ? Math.max(1, Number(req.query.pagina)) : 1;
    return { q, status, sort, page };
  };
  const listPage = async (req: Request, res: Response, side: 'buyer' | 'provider') => {
    const actor = actorOf(req);
    const f = filterOf(req);
    const apiFilter = { ...(f.q ? { q: f.q } : {}), ...(f.status ? { status: f.status } : {}), sort: f.sort, page: f.page };
    const found = side === 'buyer' ? await uc.buyerRequests(actor, apiFilter) : await uc.providerRequests(actor, apiFilter);
    const base = side === 'buyer' ? '/aanvragen' : '/opdrachten';
    const link = (page: number) =>
      `${base}?${new URLSearchParams({ ...(f.q ? { zoek: f.q } : {}), ...(f.status ? { status: f.status } : {}), sortering: f.sort, pagina: String(page) })}`;
    const orgName = await ctx.app.identity.orgName(actor.org);
    await ctx.page(req, res, 'requests', {
      title: side === 'buyer' ? 'Mijn aanvragen' : 'Opdrachten',
      intro:
        side === 'buyer'
          ? `Aanvragen van ${orgName} bij andere gemeenten en het beleidscentrum.`
          : `Alle opdrachten die ${orgName} uitvoert.`,
      side,
      base,
      requests: found.rows,
      total: found.total,
      filtered: Boolean(f.q || f.status),
      f,
      statuses: REQUEST_STATUSES.map((s) => ({ value: s, selected: s === f.status })),
      sorts: SORTS_NL.map((s) => ({ ...s, selected: s.value === f.sort })),
      previous: f.page > 1 ? link(f.page - 1) : null,
      next: f.page < found.pages ? link(f.page + 1) : null,
      page: f.page,
      pages: found.pages,
      csv: `${base}.csv?${new URLSearchParams({ ...(f.q ? { zoek: f.q } : {}), ...(f.status ? { status: f.status } : {}), sortering: f.sort })}`,
      canCreate: side === 'buyer' && mayOpen(req, 'submitRequest'),
    });
  };
  const listCsv = async (req: Request, res: Response, side: 'buyer' | 'provider') => {
    const actor = actorOf(req);
    const f = filterOf(req);
    const filter = { ...(f.q ? { q: f.q } : {}), ...(f.status ? { status: f.status } : {}), sort: f.sort };
    const csv = await uc.requestsCsv(actor, filter, side);
    res
      .set('cache-control', 'private, no-store')
      .type('text/csv')
      .attachment(side === 'buyer' ? 'aanvragen.csv' : 'opdrachten.csv')
      .send(csv);
  };
  router.get('/aanvragen', (req, res) => listPage(req, res, 'buyer'));
  router.get('/opdrachten', (req, res) => listPage(req, res, 'provider'));
  router.get('/aanvragen.csv', (req, res) => listCsv(req, res, 'buyer'));
  router.get('/opdrachten.csv', (req, res) => listCsv(req, res, 'provider'));

  const newForm = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    const services = (await uc.orderableServices(actorOf(req))).map((s) => ({ ...s, selected: s.id === values.serviceId }));
    await ctx.page(
      req,
      res,
      'request-new',
      {
        title: 'Nieuwe aanvraag',
        services,
        values: { kind: 'one_off', ...values },
        errors,
        errorList: errorList(errors),
        maxSizeText: sizeNl(ctx.app.attachments.maxBytes),
        allowedTypes: ALLOWED_TYPES_NL,
      },
      status,
    );
  };
  router.get('/aanvragen/nieuw', (req, res) => newForm(req, res));
  router.post('/aanvragen/nieuw', async (req, res) => {
    const body = req.body as Body;
    const uploads = uploadsOf(req);
    await submitForm(req, res, {
      run: async () => {
        if (uploads.refusal) throw uploads.refusal;
        return ctx.app.attachments.submitWithFiles(
          actorOf(req),
          {
            serviceId: textIn(body.serviceId),
            title: textIn(body.title),
            description: textIn(body.description) ?? '',
            kind: textIn(body.kind),
          },
          uploads.files,
        );
      },
      name: await ctx.namer(),
      fields: ATTACHMENT_FIELD,
      again: (errors, status) => newForm(req, res, body, errors, status),
      done: (state) => ({ flash: 'Uw aanvraag is ingediend.', to: `/aanvragen/${state.requestId}` }),
    });
  });

  const detail = async (req: Request, res: Response, form: { action?: string; values?: Body; errors?: Errors } = {}, status = 200) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const d = await uc.detail(actor, id);
    const s = d.request;
    const can = Object.fromEntries(d.actions.filter((a) => a.allowed).map((a) => [a.action, true])) as Partial<
      Record<RequestAction, boolean>
    >;
    const why = d.actions
      .filter((a): a is ActionInfo<RequestAction> & { refusal: NonNullable<ActionInfo['refusal']> } => !a.allowed && Boolean(a.refusal))
      .filter((a) => EXPLAINED.has(a.refusal.code))
      .map((a) => ({ label: REQUEST_ACTION_NL[a.action], refusal: a.refusal }));
    const entries = await uc.timeEntries(actor, id);
    let remaining = s.budgetMinutes ?? 0;
    const points = [...entries]
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((e) => {
        remaining -= e.minutes;
        return { label: dateNl(e.date), remaining: remaining / 60 };
      });
    const chart =
      s.budgetMinutes && entries.length
        ? burnDownChart({
            id: `burndown-${id}`,
            title: `Burn-down van ${s.title}`,
            desc: `Resterend budget na elke registratie: van ${hoursNl(s.budgetMinutes)} uur naar ${hoursNl(s.budgetMinutes - s.loggedMinutes)} uur.`,
            budget: s.budgetMinutes / 60,
            unit: 'uur',
            points,
          })
        : null;
    const suggestions = can.assign ? await uc.suggestions(actor, id) : [];
    const files = await ctx.app.attachments.panel(actor, id);
    const errors = form.errors ?? {};
    const capabilities = ctx.app.identity.capabilities(actor);
    const isBuyer = actor.org === s.buyer;
    const back = isBuyer
      ? capabilities.includes('viewBuyerRequests')
        ? { href: '/aanvragen', label: 'Mijn aanvragen' }
        : null
      : capabilities.includes('viewProviderRequests')
        ? { href: '/opdrachten', label: 'Opdrachten' }
        : null;
    await ctx.page(
      req,
      res,
      'request-detail',
      {
        title: s.title,
        state: s,
        back,
        serviceName: d.serviceName,
        monthly: s.kind === 'standing' ? await uc.monthlyOverview(actor, id) : [],
        assigneeName: d.assigneeName,
        nominatedReviewerName: d.nominatedReviewerName,
        buyerName: d.buyerName,
        providerName: d.providerName,
        isBuyer,
        review: d.review,
        money: d.money,
        budgetAlert: d.budgetAlert,
        commenting: d.commenting,
        attachments: files.items.map((f) => ({
          ...f,
          href: `/aanvragen/${id}/bijlagen/${f.id}`,
          sizeText: sizeNl(f.size),
          contextText: CONTEXT_NL[f.context] ?? f.context,
        })),
        mayAttach: files.may,
        maxSizeText: sizeNl(files.maxBytes),
        allowedTypes: ALLOWED_TYPES_NL,
        timeline: (await uc.timeline(actor, id)).items,
        percent: s.budgetMinutes ? Math.round((s.loggedMinutes / s.budgetMinutes) * 100) : null,
        remainingMinutes: s.budgetMinutes != null ? s.budgetMinutes - s.loggedMinutes : null,
        openQuestion: s.clarifications.find((c) => c.answer === null)?.question ?? null,
        showAcceptanceDeadline: s.status === 'awaiting_acceptance' && Boolean(s.deadlines.acceptance),
        lastReasonLabel:
          s.lastReasonAction === 'rejectReview' ? 'Toelichting bij de interne toets (alleen voor de uitvoerder)' : 'Laatste toelichting',
        can,
        why,
        anyAction: Object.values(can).some(Boolean),
        entries: entries.map((e) => ({ ...e, id: e._id, canChange: e.editable && Boolean(can.editTime) })),
        anyChangeable: entries.some((e) => e.editable),
        chart,
        suggestions: suggestions.map((x) => ({ ...x, selected: x.userId === form.values?.assignee })),
        today: dutchDate(Date.now()),
        // A refusal of an action whose form is not on the page (any more) shows at the top.
        pageError:
          form.action && form.action !== 'comment' && form.action !== 'attach' && !can[form.action as RequestAction]
            ? (errors._form ?? Object.values(errors)[0] ?? null)
            : null,
        // Values and errors of the form that was sent, under its action's name.
        fv: form.action ? { [form.action]: form.values ?? {} } : {},
        fe: form.action ? { [form.action]: errors } : {},
      },
      status,
    );
  };

  router.get('/aanvragen/:id', (req, res) => detail(req, res));

  router.post('/aanvragen/:id/acties/:action', async (req, res) => {
    const action = String(req.params.action) as RequestAction;
    const read = FORMS[action];
    const id = String(req.params.id);
    if (!read) return detail(req, res, {}, 404);
    const body = req.body as Body;
    const back = typeof body.terug === 'string' && /^\/uren(\?week=\d{4}-\d{2}-\d{2})?$/.test(body.terug) ? body.terug : `/aanvragen/${id}`;
    const uploads = uploadsOf(req);
    await submitForm(req, res, {
      run: async () => {
        if (uploads.refusal) throw uploads.refusal;
        return ctx.app.attachments.actWithFiles(actorOf(req), id, action, read(body), uploads.files);
      },
      name: await ctx.namer(),
      fields: FIELDS,
      again: (errors, status) => detail(req, res, { action, values: body, errors }, status),
      done: () => ({ flash: DONE[action] ?? 'Gedaan.', to: back }),
    });
  });

  // A file on the request, and a download (as an attachment, for the parties only, audited).
  router.post('/aanvragen/:id/bijlagen', async (req, res) => {
    const id = String(req.params.id);
    const uploads = uploadsOf(req);
    await submitForm(req, res, {
      run: async () => {
        if (uploads.refusal) throw uploads.refusal;
        if (!uploads.files.length) throw refuse('attachment_missing', {}, 'file');
        const added = [];
        for (const f of uploads.files) added.push(await ctx.app.attachments.add(actorOf(req), id, f, { context: 'request' }));
        return added;
      },
      name: await ctx.namer(),
      fields: ATTACHMENT_FIELD,
      again: (errors, status) => detail(req, res, { action: 'attach', values: req.body as Body, errors }, status),
      done: (added) => ({
        flash: added.length === 1 ? `${added[0]!.name} is toegevoegd.` : `${added.length} bestanden zijn toegevoegd.`,
        to: `/aanvragen/${id}#bijlagen`,
      }),
    });
  });
  router.get('/aanvragen/:id/bijlagen/:attachmentId', async (req, res) => {
    const f = await ctx.app.attachments.download(actorOf(req), String(req.params.id), String(req.params.attachmentId));
    res.set('cache-control', 'private, no-store').attachment(f.name).type(f.contentType).set('content-length', String(f.size));
    await pipeline(f.stream, res);
  });

  router.post('/aanvragen/:id/reacties', async (req, res) => {
    const id = String(req.params.id);
    const body = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.comment(actorOf(req), id, { text: textIn(body.text), internal: body.internal === 'ja' }),
      name: await ctx.namer(),
      again: (errors, status) => detail(req, res, { action: 'comment', values: body, errors }, status),
      done: (c) => ({
        flash: c!.internal ? 'Uw interne notitie is toegevoegd.' : 'Uw reactie is toegevoegd.',
        to: `/aanvragen/${id}#tijdlijn`,
      }),
    });
  });

  // Editing an own entry that is not yet approved: date, hours and description, on its own page.
  const safeBack = (v: unknown, id: string) =>
    typeof v === 'string' && /^\/uren(\?week=\d{4}-\d{2}-\d{2})?$/.test(v) ? v : `/aanvragen/${id}`;
  const editForm = async (req: Request, res: Response, values?: Body, errors: Errors = {}, status = 200) => {
    const id = String(req.params.id);
    const { request, entry } = await uc.editableEntry(actorOf(req), id, String(req.params.entryId));
    await ctx.page(
      req,
      res,
      'time-entry-edit',
      {
        title: 'Uren wijzigen',
        requestId: id,
        requestTitle: request.title,
        entryId: entry._id,
        back: safeBack(values?.terug ?? req.query.terug, id),
        values: values ?? { date: entry.date, hours: hoursNl(entry.minutes), description: entry.description },
        errors,
      },
      status,
    );
  };
  router.get('/aanvragen/:id/uren/:entryId', (req, res) => editForm(req, res));
  router.post('/aanvragen/:id/uren/:entryId', async (req, res) => {
    const id = String(req.params.id);
    const body = req.body as Body;
    await submitForm(req, res, {
      run: () => uc.act(actorOf(req), id, 'editTime', { ...FORMS.logTime!(body), entryId: String(req.params.entryId) }),
      name: await ctx.namer(),
      fields: FIELDS,
      again: (errors, status) => editForm(req, res, body, errors, status),
      done: () => ({ flash: 'De registratie is gewijzigd.', to: safeBack(body.terug, id) }),
    });
  });

  // Centre: the coordinator's intake and my tasks, each searchable and sortable from the URL.
  const QUEUE_SORTS_NL = [
    { value: '', label: 'Standaard (wat het langst wacht eerst)' },
    { value: 'submittedAt', label: 'Oudste aanvraag eerst' },
    { value: '-submittedAt', label: 'Nieuwste aanvraag eerst' },
    { value: 'title', label: 'Titel (A–Z)' },
  ];
  const queueFilterOf = (req: Request) => {
    const q = typeof req.query.zoek === 'string' ? req.query.zoek.slice(0, 200) : '';
    const sort = QUEUE_SORTS_NL.some((s) => s.value && s.value === req.query.sortering) ? String(req.query.sortering) : '';
    return { q, sort };
  };
  const queueView = (req: Request, base: string) => {
    const f = queueFilterOf(req);
    const params = new URLSearchParams({ ...(f.q ? { zoek: f.q } : {}), ...(f.sort ? { sortering: f.sort } : {}) }).toString();
    return {
      filter: { ...(f.q ? { q: f.q } : {}), ...(f.sort ? { sort: f.sort } : {}) },
      view: {
        f,
        base,
        filtered: Boolean(f.q),
        sorts: QUEUE_SORTS_NL.map((s) => ({ ...s, selected: s.value === f.sort })),
        csv: `${base}.csv${params ? `?${params}` : ''}`,
      },
    };
  };
  router.get('/intake', async (req, res) => {
    const { filter, view } = queueView(req, '/intake');
    await ctx.page(req, res, 'intake', { title: 'Intake', ...view, ...(await uc.intake(actorOf(req), filter)) });
  });
  router.get('/intake.csv', async (req, res) => {
    const csv = await uc.queueCsv(actorOf(req), 'intake', queueView(req, '/intake').filter);
    res.set('cache-control', 'private, no-store').type('text/csv').attachment('intake.csv').send(csv);
  });

  router.get('/taken', async (req, res) => {
    const actor = actorOf(req);
    const { filter, view } = queueView(req, '/taken');
    await ctx.page(req, res, 'tasks', {
      title: 'Mijn taken',
      ...view,
      ...(await uc.taskRows(actor, filter)),
      isStaff: mayOpen(req, 'registerHours'),
      isReviewer: mayOpen(req, 'viewReviewQueue'),
    });
  });
  router.get('/taken.csv', async (req, res) => {
    const csv = await uc.queueCsv(actorOf(req), 'tasks', queueView(req, '/taken').filter);
    res.set('cache-control', 'private, no-store').type('text/csv').attachment('taken.csv').send(csv);
  });

  router.get('/toetsing', async (req, res) => {
    await ctx.page(req, res, 'review-queue', { title: 'Toetsing (vier ogen)', toReview: await uc.reviewQueue(actorOf(req)) });
  });

  // Hours in a week view: my requests in progress, Monday to Sunday.
  const WEEKDAYS = ['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'];
  const weekPage = async (req: Request, res: Response, values: Body = {}, errors: Errors = {}, status = 200) => {
    const w = await uc.week(actorOf(req), { week: dateIn(req.query.week ?? values.week) });
    await ctx.page(
      req,
      res,
      'hours-week',
      {
        title: 'Uren',
        weekLabel: `${dateNl(w.days[0])} t/m ${dateNl(w.days[6])}`,
        week: w.monday,
        previous: addDays(w.monday, -7),
        next: addDays(w.monday, 7),
        isCurrent: w.days.includes(w.today),
        days: w.days.map((d, i) => ({ iso: d, label: `${WEEKDAYS[i]} ${dateNl(d).slice(0, 5)}` })),
        rows: w.rows,
        editable: w.editable,
        back: encodeURIComponent(`/uren?week=${w.monday}`),
        totals: w.totals,
        weekTotal: w.weekTotal,
        open: w.open.map((r) => ({ ...r, selected: r.id === values.requestId })),
        values: { date: w.today, ...values },
        errors,
      },
      status,
    );
  };
  router.get('/uren', (req, res) => weekPage(req, res));
  router.post('/uren', async (req, res) => {
    const body = req.body as Body;
    const requestId = str(body.requestId);
    if (!requestId) return weekPage(req, res, body, { requestId: 'Kies de opdracht.' }, 400);
    await submitForm(req, res, {
      run: () => uc.act(actorOf(req), requestId, 'logTime', FORMS.logTime!(body)),
      name: await ctx.namer(),
      fields: FIELDS,
      again: (errors, status) => weekPage(req, res, body, errors, status),
      done: () => ({ flash: 'De uren zijn geregistreerd.', to: `/uren?week=${dateIn(body.date) ?? ''}` }),
    });
  });

  router.get('/werkvoorraad', async (req, res) => {
    await ctx.page(req, res, 'workload', { title: 'Werkvoorraad per medewerker', staff: await ctx.app.dashboard.workload(actorOf(req)) });
  });
}
