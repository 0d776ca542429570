// Entry point of the workflow bundle: only deterministic workflow code may be reached from here.
export { requestWorkflow } from './request';
export { invoiceRunWorkflow } from './invoice-run';
