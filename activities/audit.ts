// The workflows' audit appends: one chain per subject, written in the workflow's order.
export { appendAudit, type AuditEventInput } from '../models/audit';
