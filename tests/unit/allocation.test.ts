import { allocate, AllocationError, largestRemainder } from '../../domain/allocation';

const POPULATION = { ZWN: 44_800, PAP: 30_500, HIA: 24_500, SLI: 24_000, ALB: 18_900, GRA: 9_500 };

describe('the seed example: EUR 80,000, Dordrecht fixed at EUR 40,000, the rest by population over the other six', () => {
  const shares = allocate(8_000_000, { fixed: { DOR: 4_000_000 }, keyFigures: POPULATION });
  const by = Object.fromEntries(shares.map((s) => [s.participant, s.totalCents]));

  test('Dordrecht pays exactly its fixed 40,000', () => expect(by.DOR).toBe(4_000_000));
  test('the shares add up to the total, to the cent', () => expect(shares.reduce((s, x) => s + x.totalCents, 0)).toBe(8_000_000));
  test('the other six pay by population (rest 40,000 over 152,200 inhabitants)', () => {
    // exact quotas: ZWN 11,773.98..., PAP 8,015.76..., HIA 6,438.89..., SLI 6,307.49..., ALB 4,967.14..., GRA 2,496.71...
    expect(by).toEqual({ DOR: 4_000_000, ZWN: 1_177_398, PAP: 801_577, HIA: 643_890, SLI: 630_749, ALB: 496_715, GRA: 249_671 });
  });
});

describe('largestRemainder', () => {
  test('when shares tie on remainder, then the larger weight, then the code decides, whatever the input order', () => {
    expect(largestRemainder(100, { B: 1, A: 1, C: 1 })).toEqual({ A: 34, B: 33, C: 33 });
    expect(largestRemainder(100, { C: 1, A: 1, B: 1 })).toEqual({ A: 34, B: 33, C: 33 });
    expect(largestRemainder(5, { A: 1, B: 2 })).toEqual({ A: 2, B: 3 });
  });
  test('when amounts are large, then it stays exact', () => {
    const r = largestRemainder(9_007_199_254_740, { A: 3, B: 7 });
    expect(r.A! + r.B!).toBe(9_007_199_254_740);
  });
  test('when the figures are missing, zero or negative, then it says so', () => {
    expect(() => largestRemainder(100, {})).toThrow(AllocationError);
    expect(() => largestRemainder(100, { A: 0 })).toThrow(/zero/);
    expect(() => largestRemainder(100, { A: -1 })).toThrow(/whole number/);
  });
});

describe('allocate', () => {
  test('a fixed base per participant comes before the key', () => {
    const shares = allocate(100_000, { basePerParticipant: 10_000, keyFigures: { A: 1, B: 3 } });
    expect(shares.map((s) => [s.participant, s.baseCents, s.variableCents, s.totalCents])).toEqual([
      ['A', 10_000, 20_000, 30_000],
      ['B', 10_000, 60_000, 70_000],
    ]);
  });
  test('fixed shares that exceed the total are refused', () => {
    expect(() => allocate(100, { fixed: { A: 101 }, keyFigures: { B: 1 } })).toThrow(/exceed the total/);
  });
  test('hours used work as a key figure too', () => {
    const shares = allocate(10_000, { keyFigures: { A: 90, B: 30 } });
    expect(shares.map((s) => s.totalCents)).toEqual([7_500, 2_500]);
  });
});
