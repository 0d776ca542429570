// Request use cases: each reads like the story it serves and leaves the rules to the
// workflow (state, roles) and domain/ (money, time).
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ulid } from 'ulid';
import { getRequestState, requestWorkflowId, SA, submitted, type RequestKind, type RequestState } from '../../contracts';
import { badInput, DomainError, forbidden, invalidState, notFound } from '../../domain/errors';
import { isParty, TERMINAL_STATUSES, type RequestStatus } from '../../domain/lifecycle';
import type { Actor } from '../../domain/roles';
import { dutchDate } from '../../domain/time';
import type { Models } from '../../models';
import { withBillingStatus } from '../../models/billing';
import { currentService } from '../../lib/service-transfers';
import { fromTemporal } from '../problem';

export interface Deps {
  models: Models;
  client: Client;
  taskQueue: string;
}

export const SORT_FIELDS = ['submittedAt', 'updatedAt', 'title', 'status'] as const;
export interface ListFilter {
  status?: RequestStatus;
  buyer?: string;
  provider?: string;
  assignee?: string;
  serviceId?: string;
  overdue?: boolean;
  sort: `${'' | '-'}${(typeof SORT_FIELDS)[number]}`;
  page: number;
  pageSize: number;
}

export interface SubmitInput {
  serviceId: string;
  title: string;
  description: string;
  kind: RequestKind;
}

export function requestUseCases({ models, client, taskQueue }: Deps) {
  const handleOf = (id: string): WorkflowHandle => client.workflow.getHandle(requestWorkflowId(id));

  /** The live state, or 404 when it does not exist or the caller's organisation is no party. */
  async function load(actor: Actor, id: string): Promise<RequestState> {
    if (!/^[0-9A-Z]{26}$/.test(id)) throw notFound('request');
    let state: RequestState;
    try {
      state = await handleOf(id).query(getRequestState);
    } catch (err) {
      throw fromTemporal(err);
    }
    // Not 403: another municipality must not even learn that the request exists.
    if (!isParty(state, actor)) throw notFound('request');
    return state;
  }

  async function submit(actor: Actor, input: SubmitInput): Promise<RequestState> {
    if (!actor.roles.includes('requester')) throw forbidden(`submitting a request needs role requester at ${actor.org}`);
    // A service that moved to the shared centre takes new requests there from its effective date.
    const service = await currentService(models, input.serviceId, dutchDate(Date.now()));
    if (!service) throw badInput('serviceId', `service ${input.serviceId} does not exist`);
    if (service.provider === actor.org) throw badInput('serviceId', 'an organisation cannot buy its own service');
    const today = dutchDate(Date.now());
    const agreement = await models.Agreement.findOne({
      buyer: actor.org,
      provider: service.provider,
      serviceIds: service._id,
      validFrom: { $lte: today },
      validTo: { $gte: today },
    }).lean();
    if (!agreement) {
      throw badInput('serviceId', `${actor.org} has no active agreement (DVO) with ${service.provider} for ${service.name}`);
    }
    const requestId = ulid();
    const startWorkflowOperation = new WithStartWorkflowOperation('requestWorkflow', {
      workflowId: requestWorkflowId(requestId),
      taskQueue,
      workflowIdConflictPolicy: 'FAIL',
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
            quoteRequired: service.quoteRequired ?? true,
            intakeSlaDays: service.intakeSlaDays ?? 5,
            deliverySlaDays: service.deliverySlaDays ?? 20,
            silentAcceptanceDays: service.silentAcceptanceDays ?? null,
            reviewRequired: service.reviewRequired ?? true,
          },
          periodEnd: input.kind === 'standing' ? agreement.validTo : null,
          standingBudgetMinutes: input.kind === 'standing' && agreement.hourBudget ? agreement.hourBudget * 60 : null,
          submittedBy: actor,
          submittedAt: new Date().toISOString(),
        },
      ],
    });
    // Start and first update in one call: the answer comes once the request is recorded.
    return client.workflow.executeUpdateWithStart(submitted, { startWorkflowOperation });
  }

  async function act<I extends { actor: Actor }, R>(
    actor: Actor,
    id: string,
    update: UpdateDefinition<R, [I]>,
    input: Omit<I, 'actor'>,
  ): Promise<R> {
    const state = await load(actor, id);
    // A finished request's workflow takes no updates: say so in the request's own terms.
    if (TERMINAL_STATUSES.includes(state.status))
      throw invalidState(state.status, `the request is ${state.status}; nothing can change it any more`);
    try {
      return await handleOf(id).executeUpdate(update, { args: [{ ...input, actor } as I] });
    } catch (err) {
      const mapped = fromTemporal(err);
      if (mapped instanceof DomainError && mapped.kind === 'NotFound') {
        const now = await load(actor, id);
        throw invalidState(now.status, `the request is ${now.status}; nothing can change it any more`);
      }
      throw mapped;
    }
  }

  async function assertAssignable(actor: Actor, state: RequestState, assignee: string): Promise<void> {
    if (actor.org !== state.provider || !actor.roles.includes('coordinator'))
      throw forbidden(`assign needs role coordinator at ${state.provider}`);
    const user = await models.User.findById(assignee).lean();
    const membership = user?.memberships.find((m) => m.org === state.provider);
    if (!user || !membership?.roles.includes('staff')) {
      throw badInput('assignee', `${assignee} is no staff member of ${state.provider}`);
    }
    const service = await models.Service.findById(state.serviceId).lean();
    if (service && !user.skills.includes(service.policyArea)) {
      throw badInput('assignee', `${assignee} lacks the skill ${service.policyArea}`);
    }
  }

  async function list(actor: Actor, filter: ListFilter) {
    const query: Record<string, unknown> = { $or: [{ buyer: actor.org }, { provider: actor.org }] };
    if (filter.status) query.status = filter.status;
    if (filter.buyer) query.buyer = filter.buyer;
    if (filter.provider) query.provider = filter.provider;
    if (filter.assignee) query.assignee = filter.assignee;
    if (filter.serviceId) query.serviceId = filter.serviceId;
    if (filter.overdue !== undefined) query.overdue = filter.overdue;
    const direction = filter.sort.startsWith('-') ? -1 : 1;
    const field = filter.sort.replace(/^-/, '');
    const [items, total] = await Promise.all([
      models.Request.find(query)
        .sort({ [field]: direction, _id: direction })
        .skip((filter.page - 1) * filter.pageSize)
        .limit(filter.pageSize)
        .lean(),
      models.Request.countDocuments(query),
    ]);
    return { items, total, page: filter.page, pageSize: filter.pageSize };
  }

  async function timeEntries(actor: Actor, id: string) {
    await load(actor, id);
    return withBillingStatus(models, await models.TimeEntry.find({ requestId: id }).sort({ date: 1, _id: 1 }).lean());
  }

  async function auditTrail(actor: Actor, id: string) {
    await load(actor, id);
    return models.AuditEvent.find({ subject: `request-${id}` })
      .sort({ seq: 1 })
      .lean();
  }

  /** Staff of the provider with the service's skill, least open hours first. */
  async function suggestions(actor: Actor, id: string) {
    const state = await load(actor, id);
    if (actor.org !== state.provider || !actor.roles.includes('coordinator')) throw forbidden('suggestions are for the coordinator');
    const service = await models.Service.findById(state.serviceId).lean();
    const users = (await models.User.find().lean()).filter((u) =>
      u.memberships.some((m) => m.org === state.provider && m.roles.includes('staff')),
    );
    const open = await models.Request.find({
      provider: state.provider,
      status: { $in: ['accepted', 'in_progress', 'in_review', 'awaiting_acceptance'] },
    })
      .select({ assignee: 1, budgetMinutes: 1, loggedMinutes: 1 })
      .lean();
    const openMinutes = (userId: string) =>
      open.filter((r) => r.assignee === userId).reduce((s, r) => s + Math.max(0, (r.budgetMinutes ?? 0) - (r.loggedMinutes ?? 0)), 0);
    return users
      .map((u) => ({
        userId: u._id,
        name: u.name,
        hasSkill: service ? u.skills.includes(service.policyArea) : false,
        openMinutes: openMinutes(u._id),
      }))
      .sort((a, b) => Number(b.hasSkill) - Number(a.hasSkill) || a.openMinutes - b.openMinutes || a.userId.localeCompare(b.userId));
  }

  /** Staff: requests assigned to me; reviewers: results waiting for a four-eyes review. */
  async function myTasks(actor: Actor) {
    const assigned = actor.roles.includes('staff')
      ? await models.Request.find({
          provider: actor.org,
          assignee: actor.userId,
          status: { $in: ['in_progress', 'in_review', 'awaiting_acceptance'] },
        })
          .sort({ updatedAt: -1 })
          .lean()
      : [];
    const toReview = actor.roles.includes('reviewer')
      ? (await models.Request.find({ provider: actor.org, status: 'in_review' }).sort({ updatedAt: 1 }).lean()).filter(
          (r) => !r.contributors.includes(actor.userId),
        )
      : [];
    return { assigned, toReview };
  }

  /** Hours per month of a request: the buyer's monthly overview of a standing order. */
  async function monthlyOverview(actor: Actor, id: string) {
    await load(actor, id);
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

  return { load, submit, act, assertAssignable, list, timeEntries, auditTrail, suggestions, myTasks, monthlyOverview };
}
