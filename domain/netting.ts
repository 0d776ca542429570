// Balances between organisations, a multilateral netting proposal, and the rules of a netting
// round that settles the invoices involved once every party's finance has agreed.
import { notFound, refuse, roleRequired, type Refusal } from './refusals';
import type { Actor } from './roles';

export interface Balance {
  creditor: string; // the provider who is owed
  debtor: string; // the buyer who owes
  invoicedCents: number;
  creditedCents: number;
  paidCents: number;
  outstandingCents: number;
}

export interface Transfer {
  from: string;
  to: string;
  amountCents: number;
}

/**
 * Settles all outstanding amounts with few transfers: each organisation's net position
 * (owed to it minus owed by it), then the largest debtor pays the largest creditor, repeated.
 * That needs at most (number of organisations with a non-zero position - 1) transfers, and
 * every net position is settled to the cent. Ties are broken by organisation code, so the
 * proposal is the same every time.
 */
export function nettingProposal(balances: readonly Balance[]): { positions: Record<string, number>; transfers: Transfer[] } {
  const positions: Record<string, number> = {};
  for (const b of balances) {
    positions[b.creditor] = (positions[b.creditor] ?? 0) + b.outstandingCents;
    positions[b.debtor] = (positions[b.debtor] ?? 0) - b.outstandingCents;
  }
  const creditors = Object.entries(positions)
    .filter(([, v]) => v > 0)
    .map(([org, v]) => ({ org, v }));
  const debtors = Object.entries(positions)
    .filter(([, v]) => v < 0)
    .map(([org, v]) => ({ org, v: -v }));
  const order = (a: { org: string; v: number }, b: { org: string; v: number }) => b.v - a.v || a.org.localeCompare(b.org);
  const transfers: Transfer[] = [];
  while (creditors.length && debtors.length) {
    creditors.sort(order);
    debtors.sort(order);
    const c = creditors[0]!;
    const d = debtors[0]!;
    const amount = Math.min(c.v, d.v);
    transfers.push({ from: d.org, to: c.org, amountCents: amount });
    c.v -= amount;
    d.v -= amount;
    if (c.v === 0) creditors.shift();
    if (d.v === 0) debtors.shift();
  }
  return { positions, transfers };
}

// ---- a netting round (verrekenronde) --------------------------------------------------------

/** An invoice can be netted while money is outstanding on it and nothing on it is disputed. */
export function isNettable(inv: { kind: string; status: string; outstandingCents: number; disputedCents?: number | null }): boolean {
  return inv.kind === 'invoice' && ['issued', 'settled'].includes(inv.status) && inv.outstandingCents > 0 && !(inv.disputedCents ?? 0);
}

/** The parties of a round and the transfers that settle it: its invoices' outstanding amounts, netted. */
export function roundOf(invoices: readonly { provider: string; buyer: string; amountCents: number }[]): {
  parties: string[];
  positions: Record<string, number>;
  transfers: Transfer[];
} {
  const pairs = new Map<string, Balance>();
  for (const i of invoices) {
    const key = `${i.provider}>${i.buyer}`;
    const b = pairs.get(key) ?? {
      creditor: i.provider,
      debtor: i.buyer,
      invoicedCents: 0,
      creditedCents: 0,
      paidCents: 0,
      outstandingCents: 0,
    };
    b.invoicedCents += i.amountCents;
    b.outstandingCents += i.amountCents;
    pairs.set(key, b);
  }
  const parties = [...new Set(invoices.flatMap((i) => [i.provider, i.buyer]))].sort();
  return { parties, ...nettingProposal([...pairs.values()]) };
}

/** Who may do what to a netting round: finance of an organisation that is party to it. */
export const NETTING_ROLES = ['provider_finance', 'buyer_finance'] as const;
export const NETTING_ACTIONS = {
  read: { from: null },
  agree: { from: ['proposed'] },
  reject: { from: ['proposed'] },
} as const satisfies Record<string, { from: readonly string[] | null }>;
export type NettingAction = keyof typeof NETTING_ACTIONS;

export function nettingRefusal(
  action: NettingAction,
  round: { parties: readonly string[]; status: string; agreements: readonly { org: string }[] },
  actor: Actor,
): Refusal | null {
  // Someone outside the round does not learn that it exists.
  if (!round.parties.includes(actor.org)) return notFound('netting_round');
  if (!NETTING_ROLES.some((r) => actor.roles.includes(r))) return roleRequired(NETTING_ROLES, actor.org);
  const from = NETTING_ACTIONS[action].from as readonly string[] | null;
  if (from && !from.includes(round.status)) return refuse('netting_closed', { status: round.status });
  if (action === 'agree' && round.agreements.some((a) => a.org === actor.org)) return refuse('netting_already_agreed', { org: actor.org });
  return null;
}

export function assertNettingAction(action: NettingAction, round: Parameters<typeof nettingRefusal>[1], actor: Actor): void {
  const refusal = nettingRefusal(action, round, actor);
  if (refusal) throw refusal;
}
