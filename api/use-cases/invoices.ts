import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { getInvoiceRunProgress, invoiceRunWorkflowId, type InvoiceRunProgress } from '../../contracts';
import { badInput, forbidden, notFound } from '../../domain/errors';
import { periodBounds } from '../../domain/invoicing';
import type { Actor } from '../../domain/roles';
import { dutchDate } from '../../domain/time';
import { fromTemporal } from '../problem';
import type { Deps } from './requests';

export function invoiceUseCases({ models, client, taskQueue }: Deps) {
  function assertProviderFinance(actor: Actor, provider: string) {
    if (actor.org !== provider || !actor.roles.includes('provider_finance')) {
      throw forbidden(`invoice runs need role provider_finance at ${provider}`);
    }
  }

  function checkPeriod(period: string): void {
    let start: string;
    try {
      start = periodBounds(period).start;
    } catch {
      throw badInput('period', 'period must be YYYY-MM, e.g. 2026-11');
    }
    if (start > dutchDate(Date.now())) throw badInput('period', `period ${period} has not started yet`);
  }

  /** Starts the run, or joins the one already running for this provider and period. */
  async function startRun(actor: Actor, period: string): Promise<{ workflowId: string; runId: string; alreadyRunning: boolean }> {
    assertProviderFinance(actor, actor.org);
    checkPeriod(period);
    const workflowId = invoiceRunWorkflowId(actor.org, period);
    try {
      const handle = await client.workflow.start('invoiceRunWorkflow', {
        workflowId,
        taskQueue,
        workflowIdConflictPolicy: 'FAIL',
        args: [{ provider: actor.org, period, issueDate: dutchDate(Date.now()), startedBy: actor }],
      });
      return { workflowId, runId: handle.firstExecutionRunId, alreadyRunning: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        const desc = await client.workflow.getHandle(workflowId).describe();
        return { workflowId, runId: desc.runId, alreadyRunning: true };
      }
      throw err;
    }
  }

  async function runProgress(actor: Actor, period: string): Promise<InvoiceRunProgress & { status: string }> {
    assertProviderFinance(actor, actor.org);
    checkPeriod(period);
    const handle = client.workflow.getHandle(invoiceRunWorkflowId(actor.org, period));
    try {
      const [desc, progress] = await Promise.all([handle.describe(), handle.query(getInvoiceRunProgress)]);
      return { ...progress, status: desc.status.name };
    } catch (err) {
      const mapped = fromTemporal(err);
      throw mapped instanceof Error && mapped.name === 'NotFound' ? notFound('invoice run') : mapped;
    }
  }

  /** Outgoing invoices for provider finance, incoming ones for buyer finance. */
  async function list(actor: Actor) {
    const or: object[] = [];
    if (actor.roles.includes('provider_finance')) or.push({ provider: actor.org });
    if (actor.roles.includes('buyer_finance') || actor.roles.includes('requester')) or.push({ buyer: actor.org });
    if (or.length === 0) throw forbidden('invoices are for finance roles');
    return models.Invoice.find({ $or: or, status: { $ne: 'draft' } })
      .sort({ issueDate: -1, number: -1 })
      .lean();
  }

  async function get(actor: Actor, id: string) {
    const invoice = await models.Invoice.findOne({ _id: id, status: { $ne: 'draft' } }).lean();
    if (!invoice || (invoice.provider !== actor.org && invoice.buyer !== actor.org)) throw notFound('invoice');
    return invoice;
  }

  return { startRun, runProgress, list, get };
}
