import { nettingProposal, type Balance } from '../../domain/netting';

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
