// Contribution steps of a shared centre: an advance instalment or the year-end settlement of
// one product. Orchestration only: record the step's plan once (the amounts are fixed from
// then on), then one document per participant; each invoice lives on in the same invoice
// workflow as an hour invoice (reconciliation, disputes, credit notes, payments, reminders).
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  contributionStepWorkflowId,
  invoiceWorkflowId,
  NON_RETRYABLE_ERRORS,
  WORKFLOW_TASK_TIMEOUT,
  type ContributionStepInput,
  type ContributionStepResult,
  type ScheduledContributionInput,
} from '../contracts';
import { dutchDate } from '../domain/dates';
import { invoiceWorkflow } from './invoice';

const acts = wf.proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
});

export async function contributionStepWorkflow(input: ContributionStepInput): Promise<ContributionStepResult> {
  const plan = await acts.planContributionStep({
    product: input.product,
    year: input.year,
    kind: input.kind,
    instalment: input.instalment,
    issueDate: input.issueDate,
    startedBy: input.startedBy.userId,
  });
  const result: ContributionStepResult = { stepId: plan.stepId, invoiceIds: [], creditNoteIds: [] };
  for (const line of plan.lines) {
    if (line.kind === 'none') continue;
    const doc = await acts.issueContributionDocument({ stepId: plan.stepId, participant: line.participant });
    if (!doc) continue;
    if (doc.kind === 'credit_note') {
      result.creditNoteIds.push(doc.invoiceId);
      continue;
    }
    result.invoiceIds.push(doc.invoiceId);
    try {
      await wf.startChild(invoiceWorkflow, {
        workflowId: invoiceWorkflowId(doc.invoiceId),
        parentClosePolicy: 'ABANDON',
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
        // An invoice has one workflow, ever: a re-run of this step must not start a second one.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            invoiceId: doc.invoiceId,
            provider: doc.provider,
            buyer: doc.buyer,
            dueDate: doc.dueDate,
            lines: doc.lines,
            grossCents: doc.grossCents,
          },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return result;
}

/**
 * Started by the centre's Temporal Schedule on the first of every month: invoices every advance
 * instalment that has started and is not yet invoiced, in order (so a missed month catches up).
 * A product whose advance fails does not stop the other products (since the patch); the run
 * then fails at the end, naming the failed steps, so that it shows up in Temporal.
 */
export async function scheduledContributionAdvancesWorkflow(input: ScheduledContributionInput): Promise<string[]> {
  const today = dutchDate(Date.now());
  const due = await acts.dueContributionSteps({ provider: input.provider, today });
  const isolated = wf.patched('advance-failures-isolated');
  const done: string[] = [];
  const failed: string[] = [];
  const failedProducts = new Set<string>();
  for (const step of due) {
    // A later instalment of a product whose earlier one failed would be refused: it waits too.
    if (failedProducts.has(step.product)) continue;
    const workflowId = contributionStepWorkflowId(step.product, step.year, 'advance', step.instalment);
    try {
      await wf.executeChild(contributionStepWorkflow, {
        workflowId,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            product: step.product,
            year: step.year,
            kind: 'advance',
            instalment: step.instalment,
            issueDate: today,
            startedBy: { userId: 'schedule', org: input.provider, roles: [] },
          },
        ],
      });
      done.push(workflowId);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) continue;
      if (!isolated || !(err instanceof wf.ChildWorkflowFailure)) throw err;
      failed.push(workflowId);
      failedProducts.add(step.product);
    }
  }
  if (failed.length)
    throw wf.ApplicationFailure.create({
      type: 'AdvancesFailed',
      message: `${failed.length} advance(s) failed: ${failed.join(', ')}; invoiced: ${done.length}`,
      details: [{ failed, done }],
      nonRetryable: true,
    });
  return done;
}
