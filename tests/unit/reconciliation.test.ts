import type { InvoiceLineState } from '../../contracts/invoice';
import { invoiceStatus, matchContributionLine, matchLine, overdueCents } from '../../domain/reconciliation';

const line = (status: InvoiceLineState['status'], grossCents = 1000, creditedCents = 0): InvoiceLineState => ({
  lineNo: 1,
  grossCents,
  status,
  reason: null,
  creditedCents,
});

describe('matchLine', () => {
  test('within the approved budget: matched', () =>
    expect(matchLine({ requestId: 'r', minutes: 60 }, { buyer: 'ZWN', budgetMinutes: 120 }, 'ZWN', 60)).toBe('matched'));
  test('past the budget with earlier invoices: exceeds budget', () =>
    expect(matchLine({ requestId: 'r', minutes: 61 }, { buyer: 'ZWN', budgetMinutes: 120 }, 'ZWN', 60)).toBe('exceeds_budget'));
  test('a request of another buyer or none: unknown request', () => {
    expect(matchLine({ requestId: 'r', minutes: 1 }, { buyer: 'PAP', budgetMinutes: 120 }, 'ZWN', 0)).toBe('unknown_request');
    expect(matchLine({ requestId: 'r', minutes: 1 }, null, 'ZWN', 0)).toBe('unknown_request');
  });
});

describe('invoiceStatus and overdue', () => {
  test('issued while lines are open; disputed while one is; settled when all are decided; paid at zero', () => {
    expect(invoiceStatus([line('open'), line('accepted')], 2000)).toBe('issued');
    expect(invoiceStatus([line('disputed'), line('accepted')], 2000)).toBe('disputed');
    expect(invoiceStatus([line('credited'), line('accepted'), line('dispute_rejected')], 2000)).toBe('settled');
    expect(invoiceStatus([line('open')], 0)).toBe('paid');
  });
  test('disputed amounts do not count as overdue', () => {
    expect(overdueCents(2000, [line('disputed'), line('accepted')])).toBe(1000);
    expect(overdueCents(1000, [line('disputed')])).toBe(0);
    expect(overdueCents(1500, [line('disputed', 1000, 400), line('open')])).toBe(900);
  });
});

describe('matchContributionLine', () => {
  const invoice = { id: 'DBC-LP-BASIS-2025-A1-ZWN', buyer: 'ZWN' };
  const stepLine = { participant: 'ZWN', invoiceId: 'DBC-LP-BASIS-2025-A1-ZWN', amountCents: 294_349 };
  test('the amount the step planned for the buyer on this document: contribution', () =>
    expect(matchContributionLine({ amountCents: 294_349 }, stepLine, invoice)).toBe('contribution'));
  test('another amount than the step planned: contribution differs', () =>
    expect(matchContributionLine({ amountCents: 294_350 }, stepLine, invoice)).toBe('contribution_differs'));
  test("a credit note on the step's invoice (a dispute resolved), for at most what it billed: contribution credit", () => {
    const note = { id: 'DBC-LP-BASIS-2025-A1-ZWN-CN1', buyer: 'ZWN', creditedInvoiceId: 'DBC-LP-BASIS-2025-A1-ZWN' };
    expect(matchContributionLine({ amountCents: 10_000 }, stepLine, note)).toBe('contribution_credit');
    expect(matchContributionLine({ amountCents: 294_349 }, stepLine, note)).toBe('contribution_credit');
    expect(matchContributionLine({ amountCents: 294_350 }, stepLine, note)).toBe('unknown_contribution');
    expect(matchContributionLine({ amountCents: 10_000 }, stepLine, { ...note, creditedInvoiceId: 'OTHER' })).toBe('unknown_contribution');
    expect(matchContributionLine({ amountCents: 10_000 }, { ...stepLine, participant: 'PAP' }, note)).toBe('unknown_contribution');
  });
  test('no step line, another participant or another document: unknown contribution', () => {
    expect(matchContributionLine({ amountCents: 294_349 }, null, invoice)).toBe('unknown_contribution');
    expect(matchContributionLine({ amountCents: 294_349 }, { ...stepLine, participant: 'PAP' }, invoice)).toBe('unknown_contribution');
    expect(matchContributionLine({ amountCents: 294_349 }, { ...stepLine, invoiceId: 'X' }, invoice)).toBe('unknown_contribution');
  });
});
