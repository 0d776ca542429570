// Request use cases: each reads like the story it serves and leaves the rules to the
// workflow (state, roles) and domain/ (money, time).
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ulid } from 'ulid';
import { getRequestState, requestWorkflowId, SA, submitted, type RequestState } from '../../contracts';
import { badInput, DomainError, forbidden, notFound } from '../../domain/errors';
import { isParty, type RequestStatus } from '../../domain/lifecycle';
import type { Actor } from '../../domain/roles';
import { dutchDate } from '../../domain/time';
import type { Models } from '../../models';
import { fromTemporal } from '../problem';

export interface Deps {
  models: Models;
  client: Client;
  taskQueue: string;
}

export interface SubmitInput {
  serviceId: string;
  title: string;
  description: string;
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
    const service = await models.Service.findById(input.serviceId).lean();
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
          title: input.title,
          description: input.description,
          quoteRequired: service.quoteRequired ?? true,
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
    await load(actor, id);
    try {
      return await handleOf(id).executeUpdate(update, { args: [{ ...input, actor } as I] });
    } catch (err) {
      throw fromTemporal(err);
    }
  }

  async function assertAssignable(actor: Actor, state: RequestState, assignee: string): Promise<void> {
    const user = await models.User.findById(assignee).lean();
    const membership = user?.memberships.find((m) => m.org === state.provider);
    if (!user || !membership?.roles.includes('staff')) {
      throw badInput('assignee', `${assignee} is no staff member of ${state.provider}`);
    }
    const service = await models.Service.findById(state.serviceId).lean();
    if (service && !user.skills.includes(service.policyArea)) {
      throw badInput('assignee', `${assignee} lacks the skill ${service.policyArea}`);
    }
    if (actor.org !== state.provider) throw forbidden('only the provider assigns staff');
  }

  async function list(actor: Actor, filter: { status?: RequestStatus; page: number; pageSize: number }) {
    const query: Record<string, unknown> = { $or: [{ buyer: actor.org }, { provider: actor.org }] };
    if (filter.status) query.status = filter.status;
    const [items, total] = await Promise.all([
      models.Request.find(query)
        .sort({ submittedAt: -1, _id: -1 })
        .skip((filter.page - 1) * filter.pageSize)
        .limit(filter.pageSize)
        .lean(),
      models.Request.countDocuments(query),
    ]);
    return { items, total, page: filter.page, pageSize: filter.pageSize };
  }

  async function timeEntries(actor: Actor, id: string) {
    await load(actor, id);
    return models.TimeEntry.find({ requestId: id }).sort({ date: 1, _id: 1 }).lean();
  }

  async function auditTrail(actor: Actor, id: string) {
    await load(actor, id);
    return models.AuditEvent.find({ subject: `request-${id}` })
      .sort({ seq: 1 })
      .lean();
  }

  return { load, submit, act, assertAssignable, list, timeEntries, auditTrail };
}

export { DomainError };
