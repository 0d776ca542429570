import { dutchDate, isIsoDate } from '../../domain/dates';
import {
  allowedActions,
  assertAllowed,
  crossesBudgetAlert,
  isParty,
  needsReviewers,
  REQUEST_ACTIONS,
  type RequestStatus,
} from '../../domain/lifecycle';
import { Refusal } from '../../domain/refusals';
import type { Actor } from '../../domain/roles';
import { validateTimeEntry } from '../../domain/time';

const req = (status: RequestStatus) => ({ buyer: 'ZWN', provider: 'DOR', status });
const actor = (org: string, ...roles: Actor['roles']): Actor => ({ userId: 'u', org, roles });

function kindOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof Refusal ? err.kind : 'other';
  }
}

describe('assertAllowed', () => {
  test('when the right role of the right organisation acts in the right state, then it is allowed', () => {
    expect(kindOf(() => assertAllowed('acceptIntake', req('submitted'), actor('DOR', 'coordinator')))).toBeNull();
    expect(kindOf(() => assertAllowed('approveQuote', req('quoted'), actor('ZWN', 'requester')))).toBeNull();
  });
  test('when the role is right but the organisation is the other party, then Forbidden', () => {
    expect(kindOf(() => assertAllowed('acceptIntake', req('submitted'), actor('ZWN', 'coordinator')))).toBe('Forbidden');
    expect(kindOf(() => assertAllowed('approveQuote', req('quoted'), actor('DOR', 'requester')))).toBe('Forbidden');
  });
  test('when the state does not allow the action, then InvalidState naming the action and the state', () => {
    try {
      assertAllowed('approveQuote', req('submitted'), actor('ZWN', 'requester'));
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(Refusal);
      expect((err as Refusal).kind).toBe('InvalidState');
      expect((err as Refusal).info()).toEqual({ code: 'action_not_in_state', params: { action: 'approveQuote', status: 'submitted' } });
    }
  });
  test('every action is refused in every terminal state', () => {
    for (const action of Object.keys(REQUEST_ACTIONS) as (keyof typeof REQUEST_ACTIONS)[]) {
      for (const status of ['completed', 'rejected', 'cancelled'] as const) {
        const [side, role] = REQUEST_ACTIONS[action].by[0];
        const who = actor(side === 'buyer' ? 'ZWN' : 'DOR', role);
        expect(kindOf(() => assertAllowed(action, req(status), who))).toBe('InvalidState');
      }
    }
  });
  test('when either side may act (cancel), then both the requester and the coordinator may, and nobody else', () => {
    expect(kindOf(() => assertAllowed('cancel', req('in_progress'), actor('ZWN', 'requester')))).toBeNull();
    expect(kindOf(() => assertAllowed('cancel', req('in_progress'), actor('DOR', 'coordinator')))).toBeNull();
    expect(kindOf(() => assertAllowed('cancel', req('in_progress'), actor('DOR', 'staff')))).toBe('Forbidden');
    expect(kindOf(() => assertAllowed('cancel', req('in_progress'), actor('PAP', 'requester')))).toBe('Forbidden');
  });
  test('allowedActions lists what the actor can do now', () => {
    expect(allowedActions(req('quoted'), actor('ZWN', 'requester')).sort()).toEqual(['approveQuote', 'cancel', 'declineQuote']);
    const assigned = { ...req('in_progress'), assignee: 'u' };
    expect(allowedActions(assigned, actor('DOR', 'staff')).sort()).toEqual(['deleteTime', 'editTime', 'logTime', 'submitResult']);
    // Hours and the result are the assignee's: another staff member may only change their own entries.
    expect(allowedActions({ ...assigned, assignee: 'other' }, actor('DOR', 'staff')).sort()).toEqual(['deleteTime', 'editTime']);
  });
  test('the 80% budget warning fires once, when the threshold is crossed', () => {
    expect(crossesBudgetAlert(600, 400, 480)).toBe(true);
    expect(crossesBudgetAlert(600, 480, 500)).toBe(false);
    expect(crossesBudgetAlert(600, 100, 479)).toBe(false);
    expect(crossesBudgetAlert(null, 0, 1000)).toBe(false);
  });
  test('isParty', () => {
    expect(isParty(req('submitted'), actor('ZWN'))).toBe(true);
    expect(isParty(req('submitted'), actor('PAP'))).toBe(false);
  });
});

describe('time entries', () => {
  const ctx = { today: '2026-11-28', workStarted: '2026-11-02' };
  const fieldOf = (e: object) => {
    try {
      validateTimeEntry({ date: '2026-11-10', minutes: 60, description: 'werk', ...e }, ctx);
      return null;
    } catch (err) {
      return (err as Refusal).field;
    }
  };
  test.each([
    [{}, null],
    [{ date: '2026-11-29' }, 'date'],
    [{ date: '2026-11-01' }, 'date'],
    [{ date: '2026-02-30' }, 'date'],
    [{ minutes: 0 }, 'minutes'],
    [{ minutes: 1441 }, 'minutes'],
    [{ minutes: 1440 }, null],
    [{ minutes: 1.5 }, 'minutes'],
    [{ description: '  ' }, 'description'],
  ])('%p -> %p', (e, field) => expect(fieldOf(e)).toBe(field));

  test('ISO dates are real dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-1-1')).toBe(false);
  });
  test('the Dutch date is taken in Europe/Amsterdam', () => {
    // 23:30 UTC on 28 Nov is already 29 Nov in the Netherlands (CET, UTC+1)
    expect(dutchDate(Date.UTC(2026, 10, 28, 23, 30))).toBe('2026-11-29');
    // 22:30 UTC on 30 June is 00:30 on 1 July (CEST, UTC+2)
    expect(dutchDate(Date.UTC(2026, 5, 30, 22, 30))).toBe('2026-07-01');
  });
});

test('only nominating a reviewer needs the provider’s reviewers read', () => {
  expect(needsReviewers('nominateReviewer')).toBe(true);
  for (const a of ['assign', 'logTime', 'review', 'acceptIntake'] as const) expect(needsReviewers(a)).toBe(false);
});
