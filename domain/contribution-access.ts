// Who may do what with a shared centre's contributions. The centre's admin manages products,
// participation, key figures and mergers; its admin or finance budgets and invoices; a
// participating municipality sees its own share and report rows.
import { createAccess, type AccessRule, type ActionInfo } from './access';
import { refuse, type Refusal } from './refusals';
import type { Actor } from './roles';

export type ContributionSide = 'centre' | 'participant';

export interface ContributionSubject {
  /** The centre that owns the product (or the caller's own organisation for centre-wide actions). */
  centre: string;
  /** Whether that organisation is a shared centre. */
  centreIsShared: boolean;
  /** The caller's organisation when it participates (or participated) in the product. */
  participant?: string | null;
}

type Condition = 'sharedCentre';
const admin = [['centre', 'admin']] as const;
const centreMoney = [
  ['centre', 'admin'],
  ['centre', 'provider_finance'],
] as const;

export const CONTRIBUTION_ACTIONS = {
  createProduct: { by: admin, requires: ['sharedCentre'] },
  changeRules: { by: admin, requires: ['sharedCentre'] },
  changeProduct: { by: admin, requires: ['sharedCentre'] },
  manageParticipation: { by: admin, requires: ['sharedCentre'] },
  manageKeyFigures: { by: admin, requires: ['sharedCentre'] },
  readKeyFigures: { by: centreMoney, requires: ['sharedCentre'] },
  recordMerger: { by: admin, requires: ['sharedCentre'] },
  viewProduct: { by: centreMoney, requires: ['sharedCentre'] },
  manageBudget: { by: centreMoney, requires: ['sharedCentre'] },
  recordActuals: { by: centreMoney, requires: ['sharedCentre'] },
  invoiceStep: { by: centreMoney, requires: ['sharedCentre'] },
  viewReport: {
    by: [...centreMoney, ['participant', 'requester'], ['participant', 'buyer_finance'], ['participant', 'admin']],
  },
  // A participant checks how its own share was computed (and sees the next advance coming).
  viewOwnShare: {
    by: [
      ['participant', 'requester'],
      ['participant', 'buyer_finance'],
      ['participant', 'admin'],
    ],
  },
} as const satisfies Record<string, AccessRule<ContributionSide, 'any', Condition>>;
export type ContributionAction = keyof typeof CONTRIBUTION_ACTIONS;

const access = createAccess<ContributionSide, 'any', Condition, ContributionAction>({
  table: CONTRIBUTION_ACTIONS,
  conditions: {
    sharedCentre: ((s: ContributionSubject) => (s.centreIsShared ? null : refuse('not_shared_centre', { org: s.centre }))) as never,
  },
  stateRefusal: () => refuse('not_shared_centre', { org: '' }),
});
const subject = (s: ContributionSubject) => ({
  ...s,
  status: 'any' as const,
  parties: { centre: s.centre, participant: s.participant ?? '' },
});

export function contributionRefusal(action: ContributionAction, s: ContributionSubject, actor: Actor): Refusal | null {
  return access.check(action, subject(s), actor);
}
export function assertContributionAction(action: ContributionAction, s: ContributionSubject, actor: Actor): void {
  access.assert(action, subject(s), actor);
}
export function contributionActions(
  s: ContributionSubject,
  actor: Actor,
  only?: readonly ContributionAction[],
): ActionInfo<ContributionAction>[] {
  return access.actions(subject(s), actor, only);
}
