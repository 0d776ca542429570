// Entry point of the workflow bundle: only deterministic workflow code may be reached from here.
export { requestWorkflow } from './request';
export { invoiceRunWorkflow, scheduledInvoiceRunWorkflow } from './invoice-run';
export { invoiceWorkflow } from './invoice';
export { markInvoicedEntriesWorkflow } from './mark-invoiced';
export { contributionStepWorkflow, scheduledContributionAdvancesWorkflow } from './contributions';
export { correctionWorkflow } from './correction';
export { housekeepingWorkflow } from './housekeeping';
export { nettingRoundWorkflow } from './netting';
