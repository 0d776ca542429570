// Balances between organisations and a multilateral netting proposal.

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
