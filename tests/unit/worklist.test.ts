// Actie nodig is read off the access tables: an item is listed exactly when its action is allowed.
import { allowedActions, REQUEST_STATUSES, type RequestStatus } from '../../domain/lifecycle';
import type { Actor } from '../../domain/roles';
import { invoiceWork, requestWork, requestWorkScope, sortWork, type WorkItem } from '../../domain/worklist';

const today = '2026-06-15';
const who = (userId: string, org: string, ...roles: Actor['roles']): Actor => ({ userId, org, roles });
const coordinator = who('c', 'DOR', 'coordinator');
const staff = who('s', 'DOR', 'staff');
const reviewer = who('r', 'DOR', 'reviewer');
const requester = who('q', 'ZWN', 'requester');
const request = (status: RequestStatus, over: object = {}) => ({
  requestId: `R-${status}`,
  buyer: 'ZWN',
  provider: 'DOR',
  status,
  kind: 'one_off' as const,
  assignee: 's',
  contributors: ['s'],
  budgetMinutes: 600,
  pendingExtension: null,
  deadlines: { intake: '2026-06-10', delivery: '2026-06-20', acceptance: '2026-06-30' },
  ...over,
});
const kinds = (items: WorkItem[]) => items.map((i) => i.kind);

test('each role finds what waits for it, with the deadline that applies', () => {
  expect(requestWork(request('submitted'), coordinator, today)).toEqual([
    { kind: 'intake', subject: 'request', id: 'R-submitted', deadline: '2026-06-10', overdue: true },
  ]);
  expect(kinds(requestWork(request('clarification'), requester, today))).toEqual(['question']);
  expect(kinds(requestWork(request('quoted'), requester, today))).toEqual(['quote']);
  expect(kinds(requestWork(request('accepted'), coordinator, today))).toEqual(['assign']);
  expect(requestWork(request('in_progress'), staff, today)).toEqual([
    { kind: 'work', subject: 'request', id: 'R-in_progress', deadline: '2026-06-20', overdue: false },
  ]);
  expect(kinds(requestWork(request('in_review'), reviewer, today))).toEqual(['review']);
  expect(kinds(requestWork(request('awaiting_acceptance'), requester, today))).toEqual(['acceptance']);
  expect(kinds(requestWork(request('in_progress', { pendingExtension: { extraMinutes: 60 } }), requester, today))).toEqual(['extension']);
});

test('nothing waits for the other party, for a colleague who is not the assignee, or for a reviewer who wrote hours', () => {
  expect(requestWork(request('submitted'), who('c2', 'ZWN', 'coordinator'), today)).toEqual([]);
  expect(requestWork(request('in_progress'), who('s2', 'DOR', 'staff'), today)).toEqual([]);
  expect(requestWork(request('in_review', { contributors: ['s', 'r'] }), reviewer, today)).toEqual([]);
  // Re-assigning is possible while the work runs, but it is not waiting for anyone.
  expect(requestWork(request('in_progress'), coordinator, today)).toEqual([]);
});

test('an item is listed only when its action is allowed: the list and the buttons agree in every state', () => {
  const pairs = {
    intake: 'acceptIntake',
    question: 'answerClarification',
    quote: 'approveQuote',
    review: 'review',
    acceptance: 'acceptResult',
  };
  for (const status of REQUEST_STATUSES)
    for (const actor of [coordinator, staff, reviewer, requester]) {
      const listed = kinds(requestWork(request(status), actor, today));
      const allowed = allowedActions(request(status), actor);
      for (const [kind, action] of Object.entries(pairs)) expect(listed.includes(kind as never)).toBe(allowed.includes(action as never));
    }
});

test('invoices: lines to check and then the payment for the buyer, disputes for the provider', () => {
  const invoice = (lineStatuses: ('open' | 'accepted' | 'disputed' | 'credited')[], outstandingCents = 10_000) => ({
    invoiceId: 'F1',
    buyer: 'ZWN',
    provider: 'DOR',
    status: 'issued' as const,
    kind: 'invoice' as const,
    contribution: false,
    outstandingCents,
    dueDate: '2026-06-01',
    lineStatuses,
  });
  const buyerFinance = who('b', 'ZWN', 'buyer_finance');
  const providerFinance = who('p', 'DOR', 'provider_finance');
  expect(invoiceWork(invoice(['open', 'accepted', 'open']), buyerFinance, today)).toEqual([
    { kind: 'reconcile', subject: 'invoice', id: 'F1', deadline: '2026-06-01', overdue: true, lines: 2 },
  ]);
  expect(kinds(invoiceWork(invoice(['accepted', 'accepted']), buyerFinance, today))).toEqual(['payment']);
  expect(kinds(invoiceWork(invoice(['accepted'], 0), buyerFinance, today))).toEqual([]);
  expect(invoiceWork(invoice(['disputed', 'accepted']), providerFinance, today)).toMatchObject([{ kind: 'dispute', lines: 1 }]);
  expect(invoiceWork(invoice(['open']), providerFinance, today)).toEqual([]);
  expect(invoiceWork(invoice(['open']), who('x', 'ZWN', 'requester'), today)).toEqual([]);
});

test('overdue first, then the nearest deadline, items without one last', () => {
  const item = (id: string, deadline: string | null, overdue = false): WorkItem => ({
    kind: 'intake',
    subject: 'request',
    id,
    deadline,
    overdue,
  });
  expect(
    sortWork([item('a', null), item('b', '2026-07-01'), item('c', '2026-06-01', true), item('d', '2026-06-20')]).map((i) => i.id),
  ).toEqual(['c', 'd', 'b', 'a']);
});

test('the query scope comes from the same table: a requester looks at buying, a coordinator at providing', () => {
  const byside = (actor: Actor) => Object.fromEntries(requestWorkScope(actor).map((s) => [s.side, [...s.statuses].sort()]));
  // Anyone of the provider can be named to review one request: in_review is always in scope there.
  expect(byside(requester)).toEqual({
    buyer: ['awaiting_acceptance', 'clarification', 'in_progress', 'in_review', 'quoted', 'accepted'].sort(),
    provider: ['in_review'],
  });
  expect(byside(coordinator)).toEqual({ provider: ['accepted', 'in_review', 'submitted'] });
  expect(byside(staff)).toEqual({ provider: ['in_progress', 'in_review'] });
});
