// The request feature: submitting, reading with the actions the caller may take, acting through
// the request's workflow, the lists and queues of each role, the week view of hours. The API
// and the pages call these and nothing else; the rules come from domain/lifecycle.ts.
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ulid } from 'ulid';
import * as msg from '../../contracts';
import { getRequestState, requestWorkflowId, SA, submitted, WORKFLOW_TASK_TIMEOUT, type RequestState } from '../../contracts';
import type { ActionInfo } from '../../domain/access';
import { dayOf, dutchDate, mondayOf, weekDays } from '../../domain/dates';
import {
  budgetAlertReached,
  budgetPercent,
  freeReviewers,
  INTAKE_STATUSES,
  isParty,
  needsReviewers,
  openMinutes,
  PROCESS_DEFAULTS,
  requestActions,
  requestRefusal,
  TERMINAL_STATUSES,
  WORKING_STATUSES,
  type RequestAction,
  type RequestStatus,
} from '../../domain/lifecycle';
import { none, notFound, refuse, Refusal } from '../../domain/refusals';
import { assertOrgAction, type Actor } from '../../domain/roles';
import { readableSides } from '../../domain/invoice-access';
import { estimateAt } from '../../domain/rates';
import { queryTokens } from '../../domain/search';
import { currentService } from '../../lib/service-transfers';
import { verifyChain } from '../../lib/audit-chain';
import { ignoreDuplicateKey } from '../../models';
import { enqueueMails } from '../../models/outbox';
import { withBillingStatus } from '../../models/billing';
import { attachmentStore } from '../../models/attachments';
import type { AppDeps } from '../core/deps';
import type { Directory } from '../core/directory';
import { toCsv } from '../core/csv';
import { parseInput } from '../core/input';
import { idempotencyKeyNow, idFromKey } from '../core/request-context';
import { fromTemporal, query, update, workflowType } from '../core/temporal';
import {
  ACTION_SCHEMAS,
  commentSchema,
  listSchema,
  queueSchema,
  submitSchema,
  weekSchema,
  type ListFilter,
  type SubmitInput,
} from './schemas';
import { commentRefusal, mentionedIn, requestTimeline } from '../../domain/timeline';
import { createViews } from '../../lib/views';
import { REQUEST_STATUS_NL } from '../../i18n/nl';

const UPDATES: { [A in RequestAction]: UpdateDefinition<unknown, [never]> } = {
  acceptIntake: msg.acceptIntake,
  rejectIntake: msg.rejectIntake,
  askClarification: msg.askClarification,
  answerClarification: msg.answerClarification,
  approveQuote: msg.approveQuote,
  declineQuote: msg.declineQuote,
  assign: msg.assign,
  logTime: msg.logTime,
  editTime: msg.editTime,
  deleteTime: msg.deleteTime,
  approveTime: msg.approveTime,
  requestBudgetExtension: msg.requestBudgetExtension,
  decideBudgetExtension: msg.decideBudgetExtension,
  submitResult: msg.submitResult,
  nominateReviewer: msg.nominateReviewer,
  review: msg.review,
  acceptResult: msg.acceptResult,
  rejectResult: msg.rejectResult,
  cancel: msg.cancel,
} as never;

const excerpt = (text: string, max = 160) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
};

const INTAKE_SECTION_NL = { incoming: 'Nieuwe aanvragen', waiting: 'Wacht op de opdrachtgever', toAssign: 'Wacht op toewijzing' };
const TASK_SECTION_NL = { assigned: 'Aan mij toegewezen', toReview: 'Te toetsen' };

/** Actions on the provider's side that the buyer never sees the notes of. */
const INTERNAL_REASONS = ['approveReview', 'rejectReview'];
const REVIEW_ROLES = ['reviewer'];
const NOMINEE_ROLES = ['staff', 'reviewer', 'coordinator'];

/** A request as its reader may see it: the buyer gets no internal notes of the provider. */
export type RequestView = Omit<RequestState, 'lastReason' | 'nominatedReviewer' | 'openEntries'> & {
  lastReason: string | null;
  nominatedReviewer: string | null;
  openEntries: RequestState['openEntries'];
};

function viewFor<
  T extends { provider: string; lastReason?: string | null; lastReasonAction?: string | null; nominatedReviewer?: string | null },
>(r: T, actor: Actor): T {
  if (actor.org === r.provider) return r;
  return {
    ...r,
    lastReason: INTERNAL_REASONS.includes(r.lastReasonAction ?? '') ? null : (r.lastReason ?? null),
    nominatedReviewer: null,
  };
}

export interface ReviewSituation {
  /** Reviewers of the provider who may still review this request. */
  free: string[];
  /** Nobody may review: every reviewer registered hours (and nobody was named). */
  blocked: boolean;
  /** Colleagues the coordinator can name as reviewer. */
  candidates: { userId: string; name: string }[];
}

/** The read model's fields an action's rules look at (see actionState). */
export const ACTION_STATE_FIELDS = {
  buyer: 1,
  provider: 1,
  status: 1,
  kind: 1,
  assignee: 1,
  contributors: 1,
  budgetMinutes: 1,
  pendingExtension: 1,
  nominatedReviewer: 1,
  serviceId: 1,
};

export function requestFeature({ models, client, taskQueue, publicBaseUrl = 'http://127.0.0.1:3000' }: AppDeps, directory: Directory) {
  const mailViews = createViews();
  // One store for the feature: it makes its index once, not on every timeline read.
  const attachments = attachmentStore(models);
  const handleOf = (id: string): WorkflowHandle => client.workflow.getHandle(requestWorkflowId(id));
  const today = () => dutchDate(Date.now());

  /** The live state, or not_found when it does not exist or the caller's organisation is no party. */
  async function state(actor: Actor, id: string): Promise<RequestState> {
    if (!/^[0-9A-Z]{26}$/.test(id)) throw notFound('request');
    const s = await query(client, handleOf(id), getRequestState, 'request');
    // Not 403: another municipality must not even learn that the request exists.
    if (!isParty(s, actor)) throw notFound('request');
    return s;
  }

  async function reviewers(provider: string): Promise<string[]> {
    return (await directory.usersWithRole(provider, REVIEW_ROLES)).map((u) => u._id);
  }

  async function reviewSituation(s: RequestState): Promise<ReviewSituation> {
    const free = freeReviewers(s, await reviewers(s.provider));
    const candidates = (await directory.usersWithRole(s.provider, NOMINEE_ROLES))
      .filter((u) => !s.contributors.includes(u._id) && u._id !== s.assignee)
      .map((u) => ({ userId: u._id, name: u.name }));
    return {
      free,
      blocked: (s.reviewRequired ?? true) && s.kind !== 'standing' && free.length === 0 && !s.nominatedReviewer,
      candidates,
    };
  }

  /**
   * What an action is checked against before its Update: the read model, by _id (a few ms, where
   * a query through Temporal to the worker takes ~10). It is written before each Update answers,
   * and the workflow's validator checks the same rules again against its own state. Nominating a
   * reviewer looks at more than the read model keeps, so it asks the workflow.
   */
  async function actionState(actor: Actor, id: string, action: RequestAction): Promise<RequestState> {
    if (needsReviewers(action)) return state(actor, id);
    if (!/^[0-9A-Z]{26}$/.test(id)) throw notFound('request');
    const doc = await models.Request.findById(id).select(ACTION_STATE_FIELDS).lean();
    if (!doc) return state(actor, id);
    // Not 403: another municipality must not even learn that the request exists.
    if (!isParty(doc, actor)) throw notFound('request');
    return { ...doc, requestId: doc._id } as unknown as RequestState;
  }

  /** The rules' subject, with the reviewers known (for nominating one). */
  async function subjectOf(s: RequestState) {
    return { ...s, reviewers: s.provider ? await reviewers(s.provider) : [] };
  }

  /** The request with the actions the caller may take now (or why not), and who is who. */
  async function detail(actor: Actor, id: string) {
    const s = await state(actor, id);
    const provider = actor.org === s.provider;
    const actions = requestActions(await subjectOf(s), actor);
    const names = await directory.userNames([s.assignee ?? '', s.nominatedReviewer ?? '']);
    const service = await models.Service.findById(s.serviceId).select({ name: 1, rates: 1 }).lean();
    const agreement = await models.Agreement.findById(s.agreementId).select({ rateCentsPerHour: 1 }).lean();
    // Hours in euros, at the rate of today (when the work would start): the quote, the budget, an extension.
    const euros = (minutes: number | null | undefined) => estimateAt(minutes, agreement?.rateCentsPerHour, service?.rates ?? [], today());
    const pendingExtra = (s.pendingExtension as { extraMinutes?: number } | null)?.extraMinutes;
    return {
      request: viewFor(s, actor) as RequestView,
      actions,
      budgetAlert: budgetAlertReached(s.loggedMinutes, s.budgetMinutes),
      /** Whether the caller may comment, and add an internal note (provider only). */
      commenting: {
        comment: commentRefusal('comment', s, actor) === null,
        internalNote: commentRefusal('internalNote', s, actor) === null,
      },
      money: {
        estimate: euros(s.estimateMinutes),
        budget: euros(s.budgetMinutes),
        extension: euros(pendingExtra),
      },
      serviceName: service?.name ?? s.serviceId,
      buyerName: await directory.orgName(s.buyer),
      providerName: await directory.orgName(s.provider),
      assigneeName: s.assignee ? (names.get(s.assignee) ?? s.assignee) : null,
      nominatedReviewerName: provider && s.nominatedReviewer ? (names.get(s.nominatedReviewer) ?? s.nominatedReviewer) : null,
      review: provider && ['in_progress', 'in_review'].includes(s.status) ? await reviewSituation(s) : null,
    };
  }

  async function submit(actor: Actor, raw: SubmitInput | unknown): Promise<RequestState> {
    assertOrgAction(actor, 'submitRequest');
    const input = parseInput(submitSchema, raw);
    const day = today();
    // A service that moved to the shared centre takes new requests there from its effective date.
    const service = await currentService(models, input.serviceId, day);
    if (!service) throw refuse('service_unknown', { serviceId: input.serviceId }, 'serviceId');
    if (service.provider === actor.org) throw refuse('own_service', none(), 'serviceId');
    const agreement = await models.Agreement.findOne({
      buyer: actor.org,
      provider: service.provider,
      serviceIds: service._id,
      validFrom: { $lte: day },
      validTo: { $gte: day },
    }).lean();
    if (!agreement) throw refuse('no_active_agreement', { provider: service.provider, service: service.name }, 'serviceId');
    // A repeat of the same call (Idempotency-Key) names the same request, and finds it.
    const key = idempotencyKeyNow();
    const requestId = key ? idFromKey(key, 'request') : ulid();
    const startWorkflowOperation = new WithStartWorkflowOperation(workflowType('requestWorkflow'), {
      workflowId: requestWorkflowId(requestId),
      taskQueue,
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      workflowIdConflictPolicy: key ? 'USE_EXISTING' : 'FAIL',
      typedSearchAttributes: [
        { key: SA.buyer, value: actor.org },
        { key: SA.provider, value: service.provider },
        { key: SA.status, value: 'submitted' },
      ],
      args: [
        {
          requestId,
          buyer: actor.org,
          provider: service.provider,
          serviceId: service._id,
          agreementId: agreement._id,
          kind: input.kind,
          title: input.title,
          description: input.description,
          process: {
            quoteRequired: service.quoteRequired ?? PROCESS_DEFAULTS.quoteRequired,
            intakeSlaDays: service.intakeSlaDays ?? PROCESS_DEFAULTS.intakeSlaDays,
            deliverySlaDays: service.deliverySlaDays ?? PROCESS_DEFAULTS.deliverySlaDays,
            silentAcceptanceDays: service.silentAcceptanceDays ?? PROCESS_DEFAULTS.silentAcceptanceDays,
            reviewRequired: service.reviewRequired ?? PROCESS_DEFAULTS.reviewRequired,
          },
          periodEnd: input.kind === 'standing' ? agreement.validTo : null,
          standingBudgetMinutes: input.kind === 'standing' && agreement.hourBudget ? agreement.hourBudget * 60 : null,
          submittedBy: actor,
          submittedAt: new Date().toISOString(),
        },
      ],
    });
    // Start and first update in one call: the answer comes once the request is recorded.
    try {
      return await client.workflow.executeUpdateWithStart(submitted, {
        startWorkflowOperation,
        ...(key ? { updateId: `submitted:${key}` } : {}),
      });
    } catch (err) {
      throw fromTemporal(err, 'request');
    }
  }

  /** Checks the parts of an action that need the database (who can be assigned or named). */
  async function checkWithRecords(s: RequestState, action: RequestAction, input: Record<string, unknown>): Promise<void> {
    if (action === 'assign') {
      const assignee = String(input.assignee);
      const user = await models.User.findById(assignee).lean();
      const membership = user?.memberships.find((m) => m.org === s.provider);
      if (!user || !membership?.roles.includes('staff')) throw refuse('assignee_not_staff', { assignee, provider: s.provider }, 'assignee');
      const service = await models.Service.findById(s.serviceId).lean();
      if (service && !user.skills.includes(service.policyArea))
        throw refuse('assignee_lacks_skill', { assignee, skill: service.policyArea }, 'assignee');
    }
    if (action === 'nominateReviewer') {
      const reviewer = String(input.reviewer);
      const { candidates } = await reviewSituation(s);
      if (!candidates.some((c) => c.userId === reviewer)) {
        const why = s.contributors.includes(reviewer) ? 'contributor' : reviewer === s.assignee ? 'assignee' : 'not_staff';
        throw refuse('reviewer_not_eligible', { reviewer, why }, 'reviewer');
      }
    }
  }

  /**
   * One action of the lifecycle, through the request's workflow: the input is checked with the
   * action's schema, the rules of the access table are checked here and again in the
   * workflow's validator (which also sees concurrent changes), and a refusal changes nothing.
   */
  /** Refusals about the state only: a repeat of a call that moved it may be answered by Temporal. */
  const STATE_REFUSALS = new Set(['action_not_in_state', 'request_closed']);

  async function act<A extends RequestAction>(actor: Actor, id: string, action: A, raw: unknown): Promise<unknown> {
    // Whose it is and who may act come first: nobody learns anything from a thing they may not
    // touch. Then the input, then whether the state allows it now.
    const s = await actionState(actor, id, action);
    const refusal = requestRefusal(action, needsReviewers(action) ? await subjectOf(s) : s, actor);
    if (refusal?.code === 'role_required') throw refusal;
    const input = parseInput(ACTION_SCHEMAS[action], raw) as Record<string, unknown>;
    if (refusal && !(idempotencyKeyNow() && STATE_REFUSALS.has(refusal.code))) throw refusal;
    if (refusal) {
      // A repeat with an Idempotency-Key of a call whose answer was lost (the API died, or the
      // database was away when it answered): the state has moved on because of that very call.
      // Temporal keeps the outcome of every Update by its id, also after the workflow closed;
      // a call that never ran is refused by the workflow's validator, with the same rule.
      try {
        return await update(handleOf(id), UPDATES[action], { ...input, actor } as never, 'request');
      } catch {
        throw refusal;
      }
    }
    await checkWithRecords(s, action, input);
    try {
      return await update(handleOf(id), UPDATES[action], { ...input, actor } as never, 'request');
    } catch (err) {
      // The workflow closed between our read and the update: say so in the request's terms.
      if (err instanceof Refusal && err.code === 'not_found') {
        const now = await state(actor, id);
        if (TERMINAL_STATUSES.includes(now.status)) throw refuse('request_closed', { status: now.status });
      }
      throw err;
    }
  }

  async function list(actor: Actor, raw: ListFilter | unknown) {
    const filter = parseInput(listSchema, raw);
    const query: Record<string, unknown> = { $or: [{ buyer: actor.org }, { provider: actor.org }] };
    if (filter.status) query.status = filter.status;
    if (filter.buyer) query.buyer = filter.buyer;
    if (filter.provider) query.provider = filter.provider;
    if (filter.assignee) query.assignee = filter.assignee;
    if (filter.serviceId) query.serviceId = filter.serviceId;
    if (filter.overdue !== undefined) query.overdue = filter.overdue;
    const words = queryTokens(filter.q);
    if (words.length) query.searchTokens = { $all: words };
    const direction = filter.sort.startsWith('-') ? -1 : 1;
    const field = filter.sort.replace(/^-/, '');
    const [items, total] = await Promise.all([
      models.Request.find(query)
        .select({ searchTokens: 0 })
        .sort({ [field]: direction, _id: direction })
        .skip((filter.page - 1) * filter.pageSize)
        .limit(filter.pageSize)
        .lean(),
      models.Request.countDocuments(query),
    ]);
    return { items: items.map((r) => viewFor(r, actor)), total, page: filter.page, pageSize: filter.pageSize };
  }

  /** Rows for the request tables of the pages, with names instead of codes. */
  async function rows(items: Awaited<ReturnType<typeof list>>['items']) {
    const name = await directory.namer();
    const people = await directory.userNames(items.map((r) => r.assignee ?? ''));
    return items.map((r) => ({
      id: r._id,
      title: r.title,
      /** The start of the requester's description, for queues that decide on it (intake). */
      summary: excerpt((r as { description?: string | null }).description ?? ''),
      status: r.status as RequestStatus,
      buyerName: name(r.buyer),
      providerName: name(r.provider),
      submittedAt: r.submittedAt,
      deadline:
        (r.deadlines as { delivery?: string | null; intake?: string | null } | null)?.delivery ??
        (r.deadlines as { intake?: string | null } | null)?.intake ??
        null,
      overdue: Boolean(r.overdue),
      breached: (r.breaches ?? []).length > 0,
      loggedMinutes: r.loggedMinutes ?? 0,
      budgetMinutes: r.budgetMinutes ?? null,
      percent: budgetPercent(r.loggedMinutes ?? 0, r.budgetMinutes),
      assigneeName: r.assignee ? (people.get(r.assignee) ?? r.assignee) : null,
    }));
  }

  /** A filtered page of a list for the pages: search, status, sort and page from the URL. */
  async function pageOf(actor: Actor, side: 'buyer' | 'provider', raw: unknown) {
    const filter = parseInput(listSchema, { pageSize: 25, ...(raw as object), [side]: actor.org });
    const found = await list(actor, filter);
    return { ...found, rows: await rows(found.items), filter, pages: Math.max(1, Math.ceil(found.total / found.pageSize)) };
  }

  /** The buyer's requests (Mijn aanvragen), filtered. */
  async function buyerRequests(actor: Actor, raw: unknown = {}) {
    assertOrgAction(actor, 'viewBuyerRequests');
    return pageOf(actor, 'buyer', raw);
  }

  /** The work the provider does (Opdrachten), filtered. */
  async function providerRequests(actor: Actor, raw: unknown = {}) {
    assertOrgAction(actor, 'viewProviderRequests');
    return pageOf(actor, 'provider', raw);
  }

  /** The filtered list as CSV, every page (at most 5,000 rows), for spreadsheets. */
  async function requestsCsv(actor: Actor, raw: unknown = {}, side?: 'buyer' | 'provider'): Promise<string> {
    // One side's list (a page's download) follows that list's rule; without a side, both sides.
    if (side) assertOrgAction(actor, side === 'buyer' ? 'viewBuyerRequests' : 'viewProviderRequests');
    const filter = parseInput(listSchema, { ...(raw as object), ...(side ? { [side]: actor.org } : {}), pageSize: 200, page: 1 });
    const out: unknown[][] = [];
    const name = await directory.namer();
    for (let page = 1; page <= 25; page++) {
      const found = await list(actor, { ...filter, page });
      for (const r of found.items)
        out.push([
          r._id,
          r.title,
          name(r.buyer),
          name(r.provider),
          REQUEST_STATUS_NL[r.status as RequestStatus] ?? r.status,
          dayOf(r.submittedAt),
          r.loggedMinutes ?? 0,
          r.budgetMinutes ?? '',
          r.status,
        ]);
      if (page * 200 >= found.total) break;
    }
    return toCsv(
      ['opdracht', 'titel', 'opdrachtgever', 'uitvoerder', 'status', 'ingediend', 'minuten', 'budget_minuten', 'statuscode'],
      out,
    );
  }

  /** A queue's query and order: the search words, and oldest first unless asked otherwise. */
  function queueQuery(raw: unknown, base: Record<string, unknown>, defaultSort: Record<string, 1 | -1>) {
    const filter = parseInput(queueSchema, raw);
    const words = queryTokens(filter.q);
    const query = words.length ? { ...base, searchTokens: { $all: words } } : base;
    const sort: Record<string, 1 | -1> = filter.sort
      ? { [filter.sort.replace(/^-/, '')]: filter.sort.startsWith('-') ? -1 : 1, _id: 1 }
      : defaultSort;
    return { query, sort, filter };
  }

  /** The coordinator's intake: new requests, those waiting for the buyer, those to assign (searchable). */
  async function intake(actor: Actor, raw: unknown = {}) {
    assertOrgAction(actor, 'handleIntake');
    const { query, sort } = queueQuery(raw, { provider: actor.org, status: { $in: [...INTAKE_STATUSES, 'accepted'] } }, { submittedAt: 1 });
    const open = await models.Request.find(query).select({ searchTokens: 0 }).sort(sort).lean();
    const of = (statuses: readonly string[]) => rows(open.filter((r) => statuses.includes(r.status)) as never);
    return {
      incoming: await of(['submitted']),
      waiting: await of(['clarification', 'quoted']),
      toAssign: await of(['accepted']),
    };
  }

  /** Staff: requests assigned to me; reviewers: results waiting for a four-eyes review I may do (searchable). */
  async function tasks(actor: Actor, raw: unknown = {}) {
    assertOrgAction(actor, 'viewTasks');
    const mine = queueQuery(raw, { provider: actor.org, assignee: actor.userId, status: { $in: WORKING_STATUSES } }, { updatedAt: -1 });
    const assigned = actor.roles.includes('staff')
      ? await models.Request.find(mine.query).select({ searchTokens: 0 }).sort(mine.sort).lean()
      : [];
    // Reviews I may do: as a reviewer who registered no hours, or as the colleague named for one.
    const reviews = queueQuery(raw, { provider: actor.org, status: 'in_review' }, { updatedAt: 1 });
    const toReview = (await models.Request.find(reviews.query).select({ searchTokens: 0 }).sort(reviews.sort).lean()).filter(
      (r) => requestRefusal('review', { ...r, status: r.status as RequestStatus }, actor) === null,
    );
    return { assigned, toReview };
  }

  async function taskRows(actor: Actor, raw: unknown = {}) {
    const t = await tasks(actor, raw);
    return { assigned: await rows(t.assigned as never), toReview: await rows(t.toReview as never) };
  }

  /** A queue as CSV, for spreadsheets: one row per request, with the section it is in. */
  async function queueCsv(actor: Actor, queue: 'intake' | 'tasks', raw: unknown = {}): Promise<string> {
    const sections: [string, Awaited<ReturnType<typeof rows>>][] =
      queue === 'intake'
        ? Object.entries(await intake(actor, raw)).map(([k, v]) => [INTAKE_SECTION_NL[k as keyof typeof INTAKE_SECTION_NL], v])
        : Object.entries(await taskRows(actor, raw)).map(([k, v]) => [TASK_SECTION_NL[k as keyof typeof TASK_SECTION_NL], v]);
    const out = sections.flatMap(([section, list_]) =>
      list_.map((r) => [
        section,
        r.id,
        r.title,
        r.buyerName,
        REQUEST_STATUS_NL[r.status] ?? r.status,
        dayOf(r.submittedAt),
        r.deadline ?? '',
        r.assigneeName ?? '',
        r.loggedMinutes,
        r.budgetMinutes ?? '',
      ]),
    );
    return toCsv(
      ['lijst', 'opdracht', 'titel', 'opdrachtgever', 'status', 'ingediend', 'termijn', 'medewerker', 'minuten', 'budget_minuten'],
      out,
    );
  }

  async function reviewQueue(actor: Actor) {
    assertOrgAction(actor, 'viewReviewQueue');
    return (await taskRows(actor)).toReview;
  }

  /** Entries of a request with the name of who registered them and whether the caller may change them. */
  async function timeEntries(actor: Actor, id: string) {
    const s = await state(actor, id);
    const entries = await withBillingStatus(models, await models.TimeEntry.find({ requestId: id }).sort({ date: 1, _id: 1 }).lean());
    const names = await directory.userNames(entries.map((e) => e.userId));
    const own = new Set(s.openEntries.filter((o) => o.userId === actor.userId).map((o) => o.entryId));
    const editable = requestRefusal('editTime', s, actor) === null;
    return entries.map((e) => ({
      ...e,
      userName: names.get(e.userId) ?? e.userId,
      editable: editable && own.has(e._id),
    }));
  }

  /** One own entry that can still be changed, for its edit form. */
  async function editableEntry(actor: Actor, id: string, entryId: string) {
    const s = await state(actor, id);
    const entry = (await timeEntries(actor, id)).find((e) => e._id === entryId && e.editable);
    if (!entry) throw notFound('time_entry');
    return { request: { requestId: s.requestId, title: s.title }, entry };
  }

  async function auditTrail(actor: Actor, id: string) {
    return auditEventsOf(actor, await state(actor, id));
  }

  /** The audit events of a request already read, as its reader may see them. */
  async function auditEventsOf(actor: Actor, s: RequestState) {
    const events = await models.AuditEvent.find({ subject: `request-${s.requestId}` })
      .sort({ seq: 1 })
      .lean();
    if (actor.org === s.provider) return events;
    // The provider's four-eyes notes stay internal.
    return events.map((e) =>
      INTERNAL_REASONS.includes(e.action) && e.after && typeof e.after === 'object'
        ? { ...e, after: { ...(e.after as Record<string, unknown>), reason: undefined } }
        : e,
    );
  }

  /** Whether the request's audit trail is intact: the first broken link, if any (lib/audit-chain.ts). */
  async function verifyAudit(actor: Actor, id: string) {
    await state(actor, id);
    const events = await models.AuditEvent.find({ subject: `request-${id}` }).lean();
    return { subject: `request-${id}`, ...verifyChain(events) };
  }

  /**
   * Staff of the provider, best fit first: with the service's skill, then those whose
   * assignment keeps a reviewer free for the four-eyes review, then the fewest open hours.
   */
  async function suggestions(actor: Actor, id: string) {
    const s = await state(actor, id);
    const refusal = requestRefusal('assign', s, actor);
    if (refusal && refusal.code === 'role_required') throw refusal;
    const service = await models.Service.findById(s.serviceId).lean();
    const staff = await directory.usersWithRole(s.provider, ['staff']);
    const open = await models.Request.find({ provider: s.provider, status: { $in: [...WORKING_STATUSES, 'accepted'] } })
      .select({ assignee: 1, budgetMinutes: 1, loggedMinutes: 1, status: 1 })
      .lean();
    const free = freeReviewers(s, await reviewers(s.provider));
    return staff
      .map((u) => ({
        userId: u._id,
        name: u.name,
        hasSkill: service ? u.skills.includes(service.policyArea) : false,
        openMinutes: openMinutes(open, u._id),
        // Assigning the last free reviewer leaves nobody to review the work.
        takesLastReviewer: free.length === 1 && free[0] === u._id,
      }))
      .sort(
        (a, b) =>
          Number(b.hasSkill) - Number(a.hasSkill) ||
          Number(a.takesLastReviewer) - Number(b.takesLastReviewer) ||
          a.openMinutes - b.openMinutes ||
          a.userId.localeCompare(b.userId),
      );
  }

  /** Hours per month of a request: the buyer's monthly overview of a standing order. */
  async function monthlyOverview(actor: Actor, id: string) {
    await state(actor, id);
    const entries = await withBillingStatus(
      models,
      await models.TimeEntry.find({ requestId: id }).select({ requestId: 1, date: 1, minutes: 1, status: 1 }).lean(),
    );
    const months = new Map<string, { month: string; minutes: number; approvedMinutes: number; invoicedMinutes: number; entries: number }>();
    for (const e of entries) {
      const month = e.date.slice(0, 7);
      const m = months.get(month) ?? { month, minutes: 0, approvedMinutes: 0, invoicedMinutes: 0, entries: 0 };
      m.minutes += e.minutes;
      m.entries += 1;
      if (e.status === 'approved') m.approvedMinutes += e.minutes;
      if (e.status === 'invoiced') m.invoicedMinutes += e.minutes;
      months.set(month, m);
    }
    return [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
  }

  /** Services the buyer can order today: under an agreement (DVO) that is valid now. */
  async function orderableServices(actor: Actor) {
    assertOrgAction(actor, 'submitRequest');
    const day = today();
    const agreements = await models.Agreement.find({ buyer: actor.org, validFrom: { $lte: day }, validTo: { $gte: day } }).lean();
    const ids = [...new Set(agreements.flatMap((a) => a.serviceIds))];
    const services = await models.Service.find({ _id: { $in: ids } })
      .sort({ name: 1 })
      .lean();
    const name = await directory.namer();
    return services.map((s) => ({ id: s._id, name: s.name, providerName: name(s.provider) }));
  }

  /** My hours in a week (Monday to Sunday): per request and day, with the entries I can still change. */
  async function week(actor: Actor, raw: unknown) {
    assertOrgAction(actor, 'registerHours');
    const { week: day } = parseInput(weekSchema, raw);
    const monday = mondayOf(day ?? today());
    const days = weekDays(monday);
    const { assigned } = await tasks(actor);
    const rowsOut: {
      id: string;
      title: string;
      budgetAlert: boolean;
      loggedMinutes: number;
      budgetMinutes: number | null;
      cells: number[];
    }[] = [];
    const editable: { requestId: string; title: string; id: string; date: string; minutes: number; description: string }[] = [];
    const mine = await withBillingStatus(
      models,
      await models.TimeEntry.find({ userId: actor.userId, date: { $gte: days[0]!, $lte: days[6]! } }).lean(),
    );
    for (const r of assigned) {
      const entries = mine.filter((e) => e.requestId === r._id);
      if (r.status === 'in_progress')
        for (const e of entries.filter((x) => x.status === 'registered'))
          editable.push({ requestId: r._id, title: r.title, id: e._id, date: e.date, minutes: e.minutes, description: e.description });
      if (r.status !== 'in_progress' && entries.length === 0) continue;
      rowsOut.push({
        id: r._id,
        title: r.title,
        // The 80 % warning, also here where the hours are written.
        budgetAlert: budgetAlertReached(r.loggedMinutes ?? 0, r.budgetMinutes),
        loggedMinutes: r.loggedMinutes ?? 0,
        budgetMinutes: r.budgetMinutes ?? null,
        cells: days.map((d) => entries.filter((e) => e.date === d).reduce((s, e) => s + e.minutes, 0)),
      });
    }
    const totals = days.map((_, i) => rowsOut.reduce((s, r) => s + r.cells[i]!, 0));
    return {
      monday,
      days,
      today: today(),
      rows: rowsOut,
      totals,
      weekTotal: totals.reduce((s, m) => s + m, 0),
      editable: editable.sort((a, b) => a.date.localeCompare(b.date)),
      open: assigned.filter((r) => r.status === 'in_progress').map((r) => ({ id: r._id, title: r.title })),
    };
  }

  /**
   * A comment of either party, or an internal note of the provider. Colleagues named with @
   * (user id or first name, in the author's organisation) get a mail and a notification.
   */
  async function comment(actor: Actor, id: string, raw: unknown) {
    const s = await state(actor, id);
    const input = parseInput(commentSchema, raw);
    const refusal = commentRefusal(input.internal ? 'internalNote' : 'comment', s, actor);
    if (refusal) throw refusal;
    const colleagues = (
      await directory.usersWithRole(actor.org, [
        'requester',
        'buyer_finance',
        'coordinator',
        'staff',
        'reviewer',
        'provider_finance',
        'admin',
      ])
    )
      .filter((u) => u._id !== actor.userId)
      .map((u) => ({ userId: u._id, name: u.name, email: u.email }));
    const mentions = mentionedIn(input.text, colleagues);
    const key = idempotencyKeyNow();
    const doc = {
      _id: key ? idFromKey(key, 'comment') : ulid(),
      requestId: s.requestId,
      org: actor.org,
      authorId: actor.userId,
      text: input.text,
      internal: input.internal,
      mentions,
      createdAt: new Date().toISOString(),
    };
    // A repeat with the same Idempotency-Key finds its comment already there.
    await models.RequestComment.create(doc).catch(ignoreDuplicateKey);
    const authorName = (await directory.userNames([actor.userId])).get(actor.userId) ?? actor.userId;
    const buyerName = await directory.orgName(s.buyer);
    const providerName = await directory.orgName(s.provider);
    const mails = colleagues
      .filter((c) => mentions.includes(c.userId))
      .map((c) => ({
        _id: `comment-${doc._id}:${c.userId}`,
        to: c.userId,
        email: c.email,
        subject: `U bent genoemd: ${s.title}`,
        html: mailViews.render(
          'mail/mention',
          {
            recipientName: c.name,
            authorName,
            internal: input.internal,
            text: input.text,
            title: s.title,
            buyerName,
            providerName,
            statusText: REQUEST_STATUS_NL[s.status],
            link: `${publicBaseUrl}/aanvragen/${s.requestId}`,
          },
          'mail/layout',
        ),
        kind: 'mention',
        requestId: s.requestId,
        createdAt: doc.createdAt,
      }));
    await enqueueMails(models, mails);
    return { ...doc, authorName };
  }

  /** The request's history as its reader may see it, oldest first, with names. */
  async function timeline(actor: Actor, id: string) {
    const s = await state(actor, id);
    const side = actor.org === s.provider ? ('provider' as const) : ('buyer' as const);
    const events = await auditEventsOf(actor, s);
    const comments = await models.RequestComment.find({ requestId: id }).sort({ createdAt: 1, _id: 1 }).lean();
    const files = await attachments.ofRequest(id);
    const mails = await models.Mail.find({ requestId: id }).select({ to: 1, subject: 1, createdAt: 1 }).sort({ createdAt: 1 }).lean();
    const recipients = await models.User.find({ _id: { $in: [...new Set(mails.map((m) => m.to))] } })
      .select({ memberships: 1 })
      .lean();
    const orgsOf = new Map(recipients.map((u) => [u._id, u.memberships.map((m) => m.org)]));
    const entries = await models.TimeEntry.find({ requestId: id }).select({ date: 1, minutes: 1, createdAt: 1 }).lean();
    // Invoices are for finance (INVOICE_ACTIONS.read): others do not see which invoice billed the hours.
    const billed = readableSides(actor).includes(side)
      ? await models.Invoice.find({ 'lines.requestId': id, kind: 'invoice', status: { $ne: 'draft' } })
          .select({ number: 1, issueDate: 1, lines: 1 })
          .lean()
      : [];
    const items = requestTimeline({
      events: events.map((e) => ({ at: e.at, action: e.action, actor: e.actor, before: e.before as never, after: e.after as never })),
      clarifications: s.clarifications,
      comments: comments.map((c) => ({ at: c.createdAt, authorId: c.authorId, text: c.text, internal: c.internal })),
      mails: mails.map((m) => ({ at: m.createdAt, toId: m.to, subject: m.subject })),
      attachments: files.map((f) => ({
        at: f.uploadDate.toISOString(),
        actorId: f.metadata.uploadedBy,
        attachmentId: f._id,
        name: f.filename,
        size: f.length,
        context: f.metadata.context,
      })),
      entries: entries.map((e) => ({
        date: e.date,
        minutes: e.minutes,
        createdAt: (e as { createdAt?: string }).createdAt ?? `${e.date}T12:00:00.000Z`,
      })),
      invoices: billed.map((i) => ({
        invoiceId: i._id,
        number: i.number ?? i._id,
        issueDate: i.issueDate,
        minutes: i.lines.filter((l) => l.requestId === id).reduce((sum, l) => sum + ((l.minutes as number) ?? 0), 0),
      })),
      side,
      ownMail: (toId) => (orgsOf.get(toId) ?? []).includes(actor.org),
    });
    const people = await directory.userNames(items.flatMap((i) => ('actorId' in i ? [i.actorId] : 'toId' in i ? [i.toId] : [])));
    const nameOf = (userId: string) => (userId === 'system' ? null : (people.get(userId) ?? userId));
    return {
      requestId: s.requestId,
      items: items.map((i) => ({
        ...i,
        ...('actorId' in i ? { actorName: nameOf(i.actorId) } : {}),
        ...('toId' in i ? { toName: nameOf(i.toId) } : {}),
      })),
    };
  }

  return {
    requestsCsv,
    queueCsv,
    comment,
    timeline,
    state,
    detail,
    submit,
    act,
    list,
    buyerRequests,
    providerRequests,
    intake,
    tasks,
    taskRows,
    reviewQueue,
    timeEntries,
    editableEntry,
    auditTrail,
    verifyAudit,
    suggestions,
    monthlyOverview,
    orderableServices,
    week,
  };
}
export type RequestFeature = ReturnType<typeof requestFeature>;
export type { ActionInfo };
