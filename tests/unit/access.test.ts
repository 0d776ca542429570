// The access tables: who may do what to which thing, and the actions a read offers.
import { contributionRefusal } from '../../domain/contribution-access';
import { invoiceActions, invoiceDisplayStatus, invoiceRefusal, type InvoiceSubject } from '../../domain/invoice-access';
import { freeReviewers, requestActions, requestRefusal, type RequestSubject } from '../../domain/lifecycle';
import type { Actor } from '../../domain/roles';

const actor = (userId: string, org: string, ...roles: Actor['roles']): Actor => ({ userId, org, roles });

describe('requests', () => {
  const inReview: RequestSubject = {
    buyer: 'ZWN',
    provider: 'DOR',
    status: 'in_review',
    kind: 'one_off',
    assignee: 'rev',
    contributors: ['rev'],
  };
  test('a reviewer who registered hours may not review; a colleague the coordinator named may', () => {
    expect(requestRefusal('review', inReview, actor('rev', 'DOR', 'reviewer', 'staff'))?.code).toBe('four_eyes');
    expect(requestRefusal('review', inReview, actor('s2', 'DOR', 'staff'))?.code).toBe('role_required');
    expect(requestRefusal('review', { ...inReview, nominatedReviewer: 's2' }, actor('s2', 'DOR', 'staff'))).toBeNull();
    expect(requestRefusal('review', { ...inReview, nominatedReviewer: 's2' }, actor('s2', 'ZWN', 'staff'))?.code).toBe('role_required');
  });
  test('the coordinator may name a reviewer only when none is free', () => {
    const coordinator = actor('c', 'DOR', 'coordinator');
    expect(requestRefusal('nominateReviewer', { ...inReview, reviewers: ['rev'] }, coordinator)).toBeNull();
    expect(requestRefusal('nominateReviewer', { ...inReview, reviewers: ['rev', 'other'] }, coordinator)?.code).toBe(
      'reviewer_already_available',
    );
    expect(freeReviewers(inReview, ['rev', 'other'])).toEqual(['other']);
    expect(freeReviewers({ contributors: [], assignee: 'rev' }, ['rev'])).toEqual([]);
  });
  test('a read lists the actions of the roles the caller has, with the reason where not allowed', () => {
    const actions = requestActions(inReview, actor('rev', 'DOR', 'reviewer', 'staff'));
    expect(actions.find((a) => a.action === 'review')).toEqual({
      action: 'review',
      allowed: false,
      refusal: { code: 'four_eyes', params: {} },
    });
    expect(actions.find((a) => a.action === 'logTime')).toMatchObject({ allowed: false, refusal: { code: 'action_not_in_state' } });
    expect(actions.map((a) => a.action)).not.toContain('approveQuote'); // a requester's action
  });
});

describe('invoices', () => {
  const invoice: InvoiceSubject = {
    buyer: 'ZWN',
    provider: 'DOR',
    status: 'issued',
    kind: 'invoice',
    contribution: false,
    outstandingCents: 100,
  };
  test('reading is for finance of either party, as for the list', () => {
    expect(invoiceRefusal('read', invoice, actor('f', 'ZWN', 'buyer_finance'))).toBeNull();
    expect(invoiceRefusal('read', invoice, actor('f', 'DOR', 'provider_finance'))).toBeNull();
    expect(invoiceRefusal('read', invoice, actor('r', 'ZWN', 'requester'))?.code).toBe('role_required');
    expect(invoiceRefusal('read', invoice, actor('c', 'DOR', 'coordinator', 'staff'))?.code).toBe('role_required');
  });
  test('line actions follow the line; corrections are for hour invoices, also when paid', () => {
    const buyer = actor('f', 'ZWN', 'buyer_finance');
    const line = (status: 'open' | 'accepted' | 'disputed') => ({ ...invoice, line: { lineNo: 1, status } });
    expect(invoiceActions(line('open'), buyer, ['acceptLine', 'disputeLine', 'resolveDispute']).map((a) => [a.action, a.allowed])).toEqual([
      ['acceptLine', true],
      ['disputeLine', true],
    ]);
    expect(invoiceRefusal('acceptLine', line('accepted'), buyer)?.code).toBe('line_state');
    const provider = actor('p', 'DOR', 'provider_finance');
    expect(invoiceRefusal('bookCorrection', { ...invoice, status: 'paid', outstandingCents: 0 }, provider)).toBeNull();
    expect(invoiceRefusal('bookCorrection', { ...invoice, contribution: true }, provider)?.code).toBe('no_hours_on_invoice');
    expect(invoiceRefusal('registerPayment', { ...invoice, status: 'paid', outstandingCents: 0 }, buyer)?.code).toBe('invoice_paid');
  });
  test('an invoice with money outstanding never reads as done', () => {
    expect(invoiceDisplayStatus({ kind: 'invoice', status: 'settled', outstandingCents: 100 })).toBe('accepted_unpaid');
    expect(invoiceDisplayStatus({ kind: 'invoice', status: 'settled', outstandingCents: 100, overdue: true })).toBe('overdue');
    expect(invoiceDisplayStatus({ kind: 'invoice', status: 'paid', outstandingCents: 0 })).toBe('paid');
    expect(invoiceDisplayStatus({ kind: 'credit_note', status: 'issued', outstandingCents: 0 })).toBe('credit_note');
  });
});

test('contributions: the centre admin manages, finance invoices, a participant reads its report; only a shared centre', () => {
  const centre = { centre: 'DBC', centreIsShared: true, participant: null };
  expect(contributionRefusal('createProduct', centre, actor('a', 'DBC', 'admin'))).toBeNull();
  expect(contributionRefusal('createProduct', centre, actor('f', 'DBC', 'provider_finance'))?.code).toBe('role_required');
  expect(contributionRefusal('invoiceStep', centre, actor('f', 'DBC', 'provider_finance'))).toBeNull();
  expect(contributionRefusal('createProduct', { centre: 'DOR', centreIsShared: false }, actor('a', 'DOR', 'admin'))?.code).toBe(
    'not_shared_centre',
  );
  expect(contributionRefusal('viewReport', { ...centre, participant: 'ZWN' }, actor('f', 'ZWN', 'buyer_finance'))).toBeNull();
  expect(contributionRefusal('viewReport', { ...centre, participant: null }, actor('f', 'ZWN', 'buyer_finance'))?.code).toBe(
    'role_required',
  );
});
