// Request pages: the municipality portal (new request, my requests, decisions) and the centre
// workspace (intake, assignment, my tasks, hours in a week view, review queue, workload).
import type { Request, Response, Router } from 'express';
import * as msg from '../../contracts';
import { DomainError } from '../../domain/errors';
import { allowedActions, type RequestAction, type RequestStatus } from '../../domain/lifecycle';
import type { Actor } from '../../domain/roles';
import { dutchDate } from '../../domain/time';
import { burnDownChart } from '../charts';
import { dutchDateText, hoursText, parseDate, parseHours } from '../format';
import { actorOf, requireRoleWeb, type WebContext } from '../router';
import { flash } from '../session';

type Body = Record<string, string | undefined>;
type Parsed = { input: Record<string, unknown> } | { errors: Record<string, string> };

const today = () => dutchDate(Date.now());
const text = (v: unknown) => String(v ?? '').trim();

function required(errors: Record<string, string>, body: Body, field: string, message: string, max = 2000): string {
  const v = text(body[field]);
  if (!v) errors[field] = message;
  else if (v.length > max) errors[field] = `Gebruik hoogstens ${max} tekens.`;
  return v;
}

function hoursField(errors: Record<string, string>, body: Body, field: string, max = 100_000): number {
  const minutes = parseHours(body[field]);
  if (minutes === null || minutes < 1) errors[field] = 'Vul een aantal uren in, bijvoorbeeld 1,5 of 1:30.';
  else if (minutes > max) errors[field] = `Dat is meer dan ${hoursText(max)} uur.`;
  return minutes ?? 0;
}

const result = (errors: Record<string, string>, input: Record<string, unknown>): Parsed =>
  Object.keys(errors).length ? { errors } : { input };

/** Form parsing per action: Dutch messages per field, before anything reaches the workflow. */
const PARSERS: Partial<Record<RequestAction, (b: Body) => Parsed>> = {
  acceptIntake: (b) => {
    const e = {};
    const estimateMinutes = hoursField(e, b, 'estimateHours');
    return result(e, { estimateMinutes, ...(text(b.note) ? { note: text(b.note) } : {}) });
  },
  rejectIntake: (b) => {
    const e = {};
    return result(e, { reason: required(e, b, 'reason', 'Geef een reden op.') });
  },
  askClarification: (b) => {
    const e = {};
    return result(e, { text: required(e, b, 'text', 'Schrijf uw vraag.') });
  },
  answerClarification: (b) => {
    const e = {};
    return result(e, { text: required(e, b, 'text', 'Schrijf uw antwoord.') });
  },
  approveQuote: () => ({ input: {} }),
  declineQuote: (b) => {
    const e = {};
    return result(e, { reason: required(e, b, 'reason', 'Geef een reden op.') });
  },
  assign: (b) => {
    const e = {};
    return result(e, { assignee: required(e, b, 'assignee', 'Kies een medewerker.') });
  },
  logTime: (b) => parseEntry(b),
  deleteTime: (b) => {
    const e = {};
    return result(e, { entryId: required(e, b, 'entryId', 'Kies de registratie.', 100) });
  },
  approveTime: (b) => {
    const e: Record<string, string> = {};
    const upTo = parseDate(b.upTo);
    if (!upTo) e.upTo = 'Vul een geldige datum in.';
    return result(e, { upTo });
  },
  requestBudgetExtension: (b) => {
    const e = {};
    const extraMinutes = hoursField(e, b, 'extraHours');
    return result(e, { extraMinutes, reason: required(e, b, 'reason', 'Geef een reden op.') });
  },
  decideBudgetExtension: (b) => decision(b),
  submitResult: (b) => {
    const e = {};
    const reference = required(e, b, 'reference', 'Vul de vindplaats van het resultaat in (bijvoorbeeld een DMS-nummer).', 500);
    return result(e, { reference, notes: text(b.notes) });
  },
  review: (b) => decision(b),
  acceptResult: () => ({ input: {} }),
  rejectResult: (b) => {
    const e = {};
    return result(e, { reason: required(e, b, 'reason', 'Geef aan wat er anders moet.') });
  },
  cancel: (b) => {
    const e = {};
    return result(e, { reason: required(e, b, 'reason', 'Geef een reden op.') });
  },
};

function decision(b: Body): Parsed {
  const e: Record<string, string> = {};
  const approved = b.decision === 'approve';
  if (b.decision !== 'approve' && b.decision !== 'reject') e.decision = 'Kies goedkeuren of afwijzen.';
  const reason = text(b.reason);
  if (b.decision === 'reject' && !reason) e.reason = 'Geef bij afwijzen een reden op.';
  return result(e, { approved, ...(reason ? { reason } : {}) });
}

function parseEntry(b: Body): Parsed {
  const e: Record<string, string> = {};
  const date = parseDate(b.date);
  if (!date) e.date = 'Vul een geldige datum in (dd-mm-jjjj).';
  else if (date > today()) e.date = 'Een datum in de toekomst kan niet.';
  const minutes = hoursField(e, b, 'hours', 1440);
  const description = required(e, b, 'description', 'Beschrijf kort wat u gedaan heeft.');
  return result(e, { date, minutes, description });
}

const UPDATES: Record<string, unknown> = {
  acceptIntake: msg.acceptIntake,
  rejectIntake: msg.rejectIntake,
  askClarification: msg.askClarification,
  answerClarification: msg.answerClarification,
  approveQuote: msg.approveQuote,
  declineQuote: msg.declineQuote,
  assign: msg.assign,
  logTime: msg.logTime,
  deleteTime: msg.deleteTime,
  approveTime: msg.approveTime,
  requestBudgetExtension: msg.requestBudgetExtension,
  decideBudgetExtension: msg.decideBudgetExtension,
  submitResult: msg.submitResult,
  review: msg.review,
  acceptResult: msg.acceptResult,
  rejectResult: msg.rejectResult,
  cancel: msg.cancel,
};

const DONE: Partial<Record<RequestAction, string>> = {
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
  submitResult: 'Het resultaat is ter toetsing aangeboden.',
  review: 'Uw toetsing is vastgelegd.',
  acceptResult: 'U heeft het resultaat geaccepteerd.',
  rejectResult: 'Het resultaat is teruggestuurd.',
  cancel: 'De opdracht is geannuleerd.',
};

/** A refusal of the workflow or use case, in Dutch, on the form's field when it names one. */
export function dutchRefusal(err: unknown): { field: string; message: string } | null {
  if (!(err instanceof DomainError)) return null;
  const d = err.details ?? {};
  if (err.kind === 'Conflict' && typeof d.remainingMinutes === 'number')
    return { field: 'hours', message: `Dit gaat boven het goedgekeurde budget uit: er resteert nog ${hoursText(d.remainingMinutes)} uur.` };
  if (err.kind === 'Forbidden') return { field: '_form', message: 'U mag deze actie niet uitvoeren (rol of vier-ogenprincipe).' };
  if (err.kind === 'InvalidState')
    return { field: '_form', message: 'Dit kan niet meer: de status van de opdracht is inmiddels veranderd.' };
  const fieldMap: Record<string, string> = { minutes: 'hours', estimateMinutes: 'estimateHours', extraMinutes: 'extraHours' };
  const field = typeof d.field === 'string' ? (fieldMap[d.field] ?? d.field) : '_form';
  if (err.kind === 'BadInput' && d.field === 'assignee')
    return { field, message: 'Deze medewerker kan deze opdracht niet krijgen (rol of vaardigheid ontbreekt).' };
  if (err.kind === 'BadInput' && d.field === 'date')
    return { field, message: 'Deze datum kan niet (in de toekomst, of vóór de start van het werk).' };
  if (err.kind === 'BadInput' || err.kind === 'Conflict')
    return { field, message: 'Deze invoer is niet toegestaan. Controleer de gegevens.' };
  return null;
}

/** The read-model fields the request tables show. */
interface ReadModelRow {
  _id: string;
  title: string;
  status: string;
  buyer: string;
  provider: string;
  submittedAt: string;
  deadlines?: { intake?: string | null; delivery?: string | null } | null;
  overdue?: boolean | null;
  breaches?: unknown[] | null;
  loggedMinutes?: number | null;
  budgetMinutes?: number | null;
  assignee?: string | null;
}

/** Rows for request tables: the live fields of the read model in Dutch display. */
async function rows(ctx: WebContext, items: ReadModelRow[]) {
  return Promise.all(
    items.map(async (r) => ({
      id: r._id,
      title: r.title,
      status: r.status as RequestStatus,
      buyerName: await ctx.orgName(r.buyer),
      providerName: await ctx.orgName(r.provider),
      submittedAt: r.submittedAt,
      deadline: r.deadlines?.delivery ?? r.deadlines?.intake ?? null,
      overdue: Boolean(r.overdue),
      breached: (r.breaches ?? []).length > 0,
      loggedMinutes: r.loggedMinutes ?? 0,
      budgetMinutes: r.budgetMinutes ?? null,
      percent: r.budgetMinutes ? Math.round(((r.loggedMinutes ?? 0) / r.budgetMinutes) * 100) : null,
      assignee: r.assignee,
    })),
  );
}

export function requestPages(router: Router, ctx: WebContext): void {
  const uc = ctx.requests;

  const listAll = async (actor: Actor, side: 'buyer' | 'provider') => {
    const res = await uc.list(actor, { [side]: actor.org, sort: '-submittedAt', page: 1, pageSize: 200 });
    return res.items as unknown as ReadModelRow[];
  };

  router.get('/aanvragen', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'requester', 'buyer_finance');
    await ctx.page(req, res, 'requests', {
      title: 'Mijn aanvragen',
      intro: `Aanvragen van ${await ctx.orgName(actor.org)} bij andere gemeenten en het beleidscentrum.`,
      side: 'buyer',
      requests: await rows(ctx, await listAll(actor, 'buyer')),
      canCreate: actor.roles.includes('requester'),
    });
  });

  router.get('/opdrachten', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'coordinator', 'staff', 'reviewer');
    await ctx.page(req, res, 'requests', {
      title: 'Opdrachten',
      intro: `Alle opdrachten die ${await ctx.orgName(actor.org)} uitvoert.`,
      side: 'provider',
      requests: await rows(ctx, await listAll(actor, 'provider')),
    });
  });

  /** Services the buyer can order today: under an agreement (DVO) that is valid now. */
  const offered = async (actor: Actor) => {
    const day = today();
    const agreements = (await ctx.catalogue.listAgreements(actor)).filter(
      (a) => a.buyer === actor.org && a.validFrom <= day && a.validTo >= day,
    );
    const ids = new Set(agreements.flatMap((a) => a.serviceIds));
    const services = (await ctx.catalogue.listServices()).filter((s) => ids.has(s._id));
    return Promise.all(services.map(async (s) => ({ id: s._id, name: s.name, providerName: await ctx.orgName(s.provider) })));
  };

  const newForm = async (req: Request, res: Response, values: Body = {}, errors: Record<string, string> = {}, status = 200) => {
    const actor = actorOf(req);
    const services = (await offered(actor)).map((s) => ({ ...s, selected: s.id === values.serviceId }));
    await ctx.page(
      req,
      res,
      'request-new',
      {
        title: 'Nieuwe aanvraag',
        services,
        values: { kind: 'one_off', ...values },
        errors,
        errorList: Object.entries(errors).map(([field, message]) => ({ field, message })),
      },
      status,
    );
  };

  router.get('/aanvragen/nieuw', async (req, res) => {
    requireRoleWeb(actorOf(req), 'requester');
    await newForm(req, res);
  });

  router.post('/aanvragen/nieuw', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'requester');
    const body = req.body as Body;
    const values = {
      serviceId: text(body.serviceId),
      title: text(body.title),
      description: String(body.description ?? ''),
      kind: text(body.kind),
    };
    const errors: Record<string, string> = {};
    const services = await offered(actor);
    if (!services.some((s) => s.id === values.serviceId)) errors.serviceId = 'Kies een dienst waarvoor uw gemeente een geldige DVO heeft.';
    if (!values.title) errors.title = 'Geef de aanvraag een titel.';
    else if (values.title.length > 200) errors.title = 'Gebruik hoogstens 200 tekens voor de titel.';
    if (values.description.length > 10_000) errors.description = 'Gebruik hoogstens 10.000 tekens.';
    if (values.kind !== 'one_off' && values.kind !== 'standing') errors.kind = 'Kies het soort opdracht.';
    if (Object.keys(errors).length) return newForm(req, res, values, errors, 400);
    try {
      const state = await uc.submit(actor, { ...values, kind: values.kind as 'one_off' | 'standing' });
      flash(req, 'Uw aanvraag is ingediend.');
      res.redirect(303, `/aanvragen/${state.requestId}`);
    } catch (err) {
      const refusal = dutchRefusal(err);
      if (!refusal) throw err;
      return newForm(req, res, values, { [refusal.field === '_form' ? 'serviceId' : refusal.field]: refusal.message }, 400);
    }
  });

  const detail = async (
    req: Request,
    res: Response,
    form: { action?: string; values?: Body; errors?: Record<string, string> } = {},
    status = 200,
  ) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const state = await uc.load(actor, id);
    const service = (await ctx.catalogue.listServices()).find((s) => s._id === state.serviceId);
    let can = Object.fromEntries(allowedActions(state, actor).map((a) => [a, true])) as Partial<Record<RequestAction, boolean>>;
    // Only the assignee registers hours and submits; a contributor may not review (four-eyes).
    if (state.assignee !== actor.userId) can = { ...can, logTime: false, submitResult: false };
    if (state.contributors.includes(actor.userId)) can = { ...can, review: false };
    if (!state.pendingExtension) can = { ...can, decideBudgetExtension: false };
    const raw = await uc.timeEntries(actor, id);
    // Names of the people on the request (the assignee and whoever registered hours), for display only.
    const people = new Map(
      (
        await ctx.models.User.find({ _id: { $in: [...new Set([state.assignee ?? '', ...raw.map((e) => e.userId)])] } })
          .select({ name: 1 })
          .lean()
      ).map((u) => [u._id, u.name]),
    );
    const ownOpen = new Set(state.openEntries.filter((o) => o.userId === actor.userId).map((o) => o.entryId));
    const entries = raw.map((e) => ({
      id: e._id,
      canDelete: Boolean(can.deleteTime) && ownOpen.has(e._id),
      canEdit: Boolean(can.editTime) && ownOpen.has(e._id),
      date: e.date,
      minutes: e.minutes,
      description: e.description,
      userName: people.get(e.userId) ?? e.userId,
    }));
    let remaining = state.budgetMinutes ?? 0;
    const points = [...entries]
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((e) => {
        remaining -= e.minutes;
        return { label: dutchDateText(e.date), remaining: remaining / 60 };
      });
    const chart =
      state.budgetMinutes && entries.length
        ? burnDownChart({
            id: `burndown-${id}`,
            title: `Burn-down van ${state.title}`,
            desc: `Resterend budget na elke registratie: van ${hoursText(state.budgetMinutes)} uur naar ${hoursText(state.budgetMinutes - state.loggedMinutes)} uur.`,
            budget: state.budgetMinutes / 60,
            unit: 'uur',
            points,
          })
        : null;
    const suggestions = can.assign ? await uc.suggestions(actor, id) : [];
    const errors = form.errors ?? {};
    await ctx.page(
      req,
      res,
      'request-detail',
      {
        title: state.title,
        state,
        statusLabelText: state.status,
        serviceName: service?.name ?? state.serviceId,
        monthly: state.kind === 'standing' ? await uc.monthlyOverview(actor, id) : [],
        assigneeName: state.assignee ? (people.get(state.assignee) ?? state.assignee) : null,
        buyerName: await ctx.orgName(state.buyer),
        providerName: await ctx.orgName(state.provider),
        isBuyer: actor.org === state.buyer,
        percent: state.budgetMinutes ? Math.round((state.loggedMinutes / state.budgetMinutes) * 100) : null,
        remainingMinutes: state.budgetMinutes != null ? state.budgetMinutes - state.loggedMinutes : null,
        openQuestion: state.clarifications.find((c) => c.answer === null)?.question ?? null,
        can,
        anyAction: Object.values(can).some(Boolean),
        entries,
        chart,
        suggestions: suggestions.map((s) => ({ ...s, selected: s.userId === form.values?.assignee })),
        today: today(),
        // A refusal of an action whose form is not on the page (any more) shows at the top.
        pageError: form.action && !can[form.action as RequestAction] ? (errors._form ?? Object.values(errors)[0] ?? null) : null,
        // Values and errors of the form that was sent, under its action's name.
        fv: form.action ? { [form.action]: form.values ?? {} } : {},
        fe: form.action ? { [form.action]: errors } : {},
      },
      status,
    );
  };

  router.get('/aanvragen/:id', (req, res) => detail(req, res));

  router.post('/aanvragen/:id/acties/:action', async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const action = String(req.params.action) as RequestAction;
    const parse = PARSERS[action];
    const update = UPDATES[action];
    if (!parse || !update) throw new DomainError('NotFound', 'no such action');
    const body = req.body as Body;
    const parsed = parse(body);
    if ('errors' in parsed) return detail(req, res, { action, values: body, errors: parsed.errors }, 400);
    try {
      if (action === 'assign') await uc.assertAssignable(actor, await uc.load(actor, id), String(parsed.input.assignee));
      await uc.act(actor, id, update as never, parsed.input as never);
    } catch (err) {
      const refusal = dutchRefusal(err);
      if (!refusal) throw err;
      return detail(
        req,
        res,
        { action, values: body, errors: { [refusal.field]: refusal.message } },
        err instanceof DomainError && err.kind === 'BadInput' ? 400 : 409,
      );
    }
    flash(req, DONE[action] ?? 'Gedaan.');
    res.redirect(303, typeof body.terug === 'string' && body.terug.startsWith('/uren') ? body.terug : `/aanvragen/${id}`);
  });

  // Editing an own entry that is not yet approved: date, hours and description, on its own page.
  const safeBack = (v: unknown, id: string) =>
    typeof v === 'string' && /^\/uren(\?week=\d{4}-\d{2}-\d{2})?$/.test(v) ? v : `/aanvragen/${id}`;
  const editForm = async (req: Request, res: Response, values?: Body, errors: Record<string, string> = {}, status = 200) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const entryId = String(req.params.entryId);
    const state = await uc.load(actor, id);
    const open = state.openEntries.find((o) => o.entryId === entryId && o.userId === actor.userId);
    const entry = open ? (await uc.timeEntries(actor, id)).find((e) => e._id === entryId) : undefined;
    // Someone else's entry, an approved one, or a request no longer in progress: not editable here.
    if (!entry || !allowedActions(state, actor).includes('editTime')) throw new DomainError('NotFound', 'no editable entry');
    await ctx.page(
      req,
      res,
      'time-entry-edit',
      {
        title: 'Uren wijzigen',
        requestId: id,
        requestTitle: state.title,
        entryId,
        back: safeBack(values?.terug ?? req.query.terug, id),
        values: values ?? { date: entry.date, hours: hoursText(entry.minutes), description: entry.description },
        errors,
      },
      status,
    );
  };
  router.get('/aanvragen/:id/uren/:entryId', (req, res) => editForm(req, res));
  router.post('/aanvragen/:id/uren/:entryId', async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const body = req.body as Body;
    const parsed = parseEntry(body);
    if ('errors' in parsed) return editForm(req, res, body, parsed.errors, 400);
    try {
      await uc.act(actor, id, msg.editTime, { ...parsed.input, entryId: String(req.params.entryId) } as never);
    } catch (err) {
      const refusal = dutchRefusal(err);
      if (!refusal) throw err;
      return editForm(
        req,
        res,
        body,
        { [refusal.field]: refusal.message },
        err instanceof DomainError && err.kind === 'BadInput' ? 400 : 409,
      );
    }
    flash(req, 'De registratie is gewijzigd.');
    res.redirect(303, safeBack(body.terug, id));
  });

  // Centre: intake queue of the coordinator.
  router.get('/intake', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'coordinator');
    const all = await listAll(actor, 'provider');
    const by = (statuses: RequestStatus[]) =>
      rows(
        ctx,
        all.filter((r) => statuses.includes(r.status as RequestStatus)),
      );
    await ctx.page(req, res, 'intake', {
      title: 'Intake',
      incoming: await by(['submitted']),
      waiting: await by(['clarification', 'quoted']),
      toAssign: await by(['accepted']),
    });
  });

  router.get('/taken', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'staff', 'reviewer');
    const tasks = await uc.myTasks(actor);
    await ctx.page(req, res, 'tasks', {
      title: 'Mijn taken',
      assigned: await rows(ctx, tasks.assigned as never),
      toReview: await rows(ctx, tasks.toReview as never),
      isReviewer: actor.roles.includes('reviewer'),
    });
  });

  router.get('/toetsing', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'reviewer');
    const tasks = await uc.myTasks(actor);
    await ctx.page(req, res, 'review-queue', { title: 'Toetsing (vier ogen)', toReview: await rows(ctx, tasks.toReview as never) });
  });

  // Hours in a week view: my requests in progress, Monday to Sunday.
  const weekPage = async (req: Request, res: Response, values: Body = {}, errors: Record<string, string> = {}, status = 200) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'staff');
    const monday = mondayOf(parseDate(req.query.week) ?? parseDate(values.week) ?? today());
    const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
    const tasks = await uc.myTasks(actor);
    const open = tasks.assigned.filter((r) => r.status === 'in_progress');
    const withHours: { id: string; title: string; cells: number[] }[] = [];
    // My entries of this week that can still be changed (not yet approved, request in progress).
    const editable: { requestId: string; title: string; id: string; date: string; minutes: number; description: string }[] = [];
    for (const r of tasks.assigned) {
      const mine = (await uc.timeEntries(actor, r._id)).filter((e) => e.userId === actor.userId && days.includes(e.date));
      if (r.status === 'in_progress')
        for (const e of mine.filter((x) => x.status === 'registered'))
          editable.push({ requestId: r._id, title: r.title, id: e._id, date: e.date, minutes: e.minutes, description: e.description });
      if (r.status !== 'in_progress' && mine.length === 0) continue;
      withHours.push({
        id: r._id,
        title: r.title,
        cells: days.map((d) => mine.filter((e) => e.date === d).reduce((s, e) => s + e.minutes, 0)),
      });
    }
    const totals = days.map((_, i) => withHours.reduce((s, r) => s + r.cells[i]!, 0));
    await ctx.page(
      req,
      res,
      'hours-week',
      {
        title: 'Uren',
        weekLabel: `${dutchDateText(days[0])} t/m ${dutchDateText(days[6])}`,
        week: monday,
        previous: addDays(monday, -7),
        next: addDays(monday, 7),
        isCurrent: days.includes(today()),
        days: days.map((d) => ({ iso: d, label: `${WEEKDAYS[days.indexOf(d)]} ${dutchDateText(d).slice(0, 5)}` })),
        rows: withHours,
        editable: editable.sort((a, b) => a.date.localeCompare(b.date)),
        back: encodeURIComponent(`/uren?week=${monday}`),
        totals,
        weekTotal: totals.reduce((s, m) => s + m, 0),
        open: open.map((r) => ({ id: r._id, title: r.title, selected: r._id === values.requestId })),
        values: { date: today(), ...values },
        errors,
      },
      status,
    );
  };
  router.get('/uren', (req, res) => weekPage(req, res));
  router.post('/uren', async (req, res) => {
    const actor = actorOf(req);
    requireRoleWeb(actor, 'staff');
    const body = req.body as Body;
    const parsed = parseEntry(body);
    const errors = 'errors' in parsed ? { ...parsed.errors } : {};
    const requestId = text(body.requestId);
    if (!requestId) errors.requestId = 'Kies de opdracht.';
    if (Object.keys(errors).length || 'errors' in parsed) return weekPage(req, res, body, errors, 400);
    try {
      await uc.act(actor, requestId, msg.logTime, parsed.input as never);
    } catch (err) {
      const refusal = dutchRefusal(err);
      if (!refusal) throw err;
      return weekPage(req, res, body, { [refusal.field]: refusal.message }, 409);
    }
    flash(req, 'De uren zijn geregistreerd.');
    res.redirect(303, `/uren?week=${mondayOf(parsed.input.date as string)}`);
  });

  router.get('/werkvoorraad', async (req, res) => {
    const actor = actorOf(req);
    const staff = await ctx.dashboard.workload(actor);
    await ctx.page(req, res, 'workload', { title: 'Werkvoorraad per medewerker', staff });
  });
}

const WEEKDAYS = ['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'];

function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function mondayOf(iso: string): string {
  const day = new Date(`${iso}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(iso, -((day + 6) % 7));
}
