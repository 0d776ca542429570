import { isNettable, nettingProposal, nettingRefusal, roundOf, type Balance } from '../../domain/netting';

const b = (creditor: string, debtor: string, outstandingCents: number): Balance => ({
  creditor,
  debtor,
  invoicedCents: outstandingCents,
  creditedCents: 0,
  paidCents: 0,
  outstandingCents,
});

describe('nettingProposal', () => {
  test('when two organisations owe each other, then one transfer settles the difference', () => {
    const { transfers } = nettingProposal([b('DOR', 'ZWN', 100_00), b('ZWN', 'DOR', 30_00)]);
    expect(transfers).toEqual([{ from: 'ZWN', to: 'DOR', amountCents: 70_00 }]);
  });

  test('when debts run in a circle, then they cancel out without any transfer', () => {
    const { transfers, positions } = nettingProposal([b('DOR', 'ZWN', 50_00), b('ZWN', 'PAP', 50_00), b('PAP', 'DOR', 50_00)]);
    expect(transfers).toEqual([]);
    expect(Object.values(positions).every((v) => v === 0)).toBe(true);
  });

  test('when many owe many, then every position is settled exactly with at most n-1 transfers', () => {
    const balances = [
      b('DOR', 'ZWN', 123_45),
      b('DOR', 'PAP', 67_89),
      b('DBC', 'DOR', 500_00),
      b('DBC', 'ZWN', 10_01),
      b('ZWN', 'PAP', 33_33),
      b('DOR', 'GRA', 1),
    ];
    const { positions, transfers } = nettingProposal(balances);
    const after = { ...positions };
    for (const t of transfers) {
      after[t.from]! += t.amountCents;
      after[t.to]! -= t.amountCents;
      expect(t.amountCents).toBeGreaterThan(0);
    }
    expect(Object.values(after).every((v) => v === 0)).toBe(true);
    const nonZero = Object.values(positions).filter((v) => v !== 0).length;
    expect(transfers.length).toBeLessThanOrEqual(nonZero - 1);
    // Without netting it would take one transfer per balance.
    expect(transfers.length).toBeLessThan(balances.length);
  });

  test('the proposal is the same every time', () => {
    const balances = [b('A', 'B', 10), b('C', 'D', 10), b('E', 'F', 10)];
    expect(nettingProposal(balances)).toEqual(nettingProposal([...balances].reverse()));
  });
});

describe('a netting round', () => {
  const inv = (over: object = {}) => ({ kind: 'invoice', status: 'issued', outstandingCents: 100, disputedCents: 0, ...over });

  test('nets only invoices with money outstanding and nothing disputed', () => {
    expect(isNettable(inv())).toBe(true);
    expect(isNettable(inv({ status: 'settled' }))).toBe(true);
    expect(isNettable(inv({ status: 'disputed' }))).toBe(false);
    expect(isNettable(inv({ disputedCents: 1 }))).toBe(false);
    expect(isNettable(inv({ status: 'paid', outstandingCents: 0 }))).toBe(false);
    expect(isNettable(inv({ kind: 'credit_note' }))).toBe(false);
  });

  test('its parties, positions and transfers: a circle of three debts needs one transfer, and positions sum to zero', () => {
    const r = roundOf([
      { provider: 'DOR', buyer: 'ZWN', amountCents: 10_000 },
      { provider: 'ZWN', buyer: 'PAP', amountCents: 7_000 },
      { provider: 'PAP', buyer: 'DOR', amountCents: 7_000 },
      { provider: 'DOR', buyer: 'ZWN', amountCents: 1 },
    ]);
    expect(r.parties).toEqual(['DOR', 'PAP', 'ZWN']);
    expect(r.positions).toEqual({ DOR: 3_001, ZWN: -3_001, PAP: 0 });
    expect(r.transfers).toEqual([{ from: 'ZWN', to: 'DOR', amountCents: 3_001 }]);
  });

  const round = { parties: ['DOR', 'ZWN'], status: 'proposed', agreements: [{ org: 'ZWN' }] };
  const actor = (org: string, roles: string[]) => ({ userId: 'u', org, roles }) as never;

  test('only finance of a party acts; someone outside does not learn it exists; each party agrees once', () => {
    expect(nettingRefusal('agree', round, actor('DOR', ['provider_finance']))).toBeNull();
    expect(nettingRefusal('agree', round, actor('PAP', ['buyer_finance']))?.code).toBe('not_found');
    expect(nettingRefusal('read', round, actor('DOR', ['requester']))?.code).toBe('role_required');
    expect(nettingRefusal('agree', round, actor('ZWN', ['buyer_finance']))?.code).toBe('netting_already_agreed');
    expect(nettingRefusal('reject', round, actor('ZWN', ['buyer_finance']))).toBeNull();
    expect(nettingRefusal('agree', { ...round, status: 'settled' }, actor('DOR', ['buyer_finance']))?.code).toBe('netting_closed');
    expect(nettingRefusal('read', { ...round, status: 'settled' }, actor('DOR', ['buyer_finance']))).toBeNull();
  });
});
