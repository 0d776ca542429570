// Messages of the contribution workflows (scenario 2: the shared centre's advances and settlements).
import type { Actor } from '../domain/roles';

export type ContributionStepKind = 'advance' | 'settlement';

/** One workflow per product, year and step: a second start joins or finds the first. */
export const contributionStepWorkflowId = (product: string, year: number, kind: ContributionStepKind, instalment?: number | null) =>
  `contribution-${product}-${year}-${kind === 'advance' ? `A${instalment}` : 'S'}`;
export const contributionScheduleId = (provider: string) => `contribution-schedule-${provider}`;

export interface ContributionStepInput {
  product: string;
  year: number;
  kind: ContributionStepKind;
  instalment: number | null;
  issueDate: string; // YYYY-MM-DD
  startedBy: Actor;
}

export interface ContributionStepResult {
  stepId: string;
  invoiceIds: string[];
  creditNoteIds: string[];
}

export interface ScheduledContributionInput {
  provider: string;
}
