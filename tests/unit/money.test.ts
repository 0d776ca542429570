import { amountForMinutes, centsToDecimal, divideHalfUp, formatEuro, formatHours, roundMinutes, vatAmount } from '../../domain/money';

describe('divideHalfUp', () => {
  test.each([
    [5, 10, 1], // 0.5 -> 1
    [4, 10, 0],
    [15, 10, 2], // 1.5 -> 2
    [-5, 10, -1], // half away from zero for credit notes
    [-4, 10, 0],
    [0, 7, 0],
    [2, 3, 1], // 0.667
    [1, 3, 0],
  ])('%i / %i = %i', (n, d, expected) => expect(divideHalfUp(n, d)).toBe(expected));

  test('when the denominator is not positive or the input not an integer, then it throws', () => {
    expect(() => divideHalfUp(1, 0)).toThrow(RangeError);
    expect(() => divideHalfUp(1.5, 2)).toThrow(RangeError);
  });
});

describe('roundMinutes (agreement rounding rule)', () => {
  test.each([
    [95, 'none', 95],
    [95, 'up6', 96],
    [96, 'up6', 96],
    [1, 'up6', 6],
    [1, 'up15', 15],
    [30, 'up15', 30],
    [31, 'up15', 45],
  ] as const)('%i min with %s -> %i', (m, rule, expected) => expect(roundMinutes(m, rule)).toBe(expected));
});

describe('amountForMinutes: minutes x rate / 60, half-up to the cent', () => {
  test('when the result is exactly half a cent, then it rounds up', () => {
    // 6 min at 93.75/h = 9.375 EUR = 937.5 ct
    expect(amountForMinutes(6, 9_375)).toBe(938);
  });
  test('when the result is below half a cent, then it rounds down', () => {
    // 1 min at 89.50/h = 149.1666 ct
    expect(amountForMinutes(1, 8_950)).toBe(149);
  });
  test('when whole hours are billed, then it is exact', () => {
    expect(amountForMinutes(600, 9_375)).toBe(93_750);
  });
  test('when the minutes are large, then it stays exact', () => {
    // 1,000,000 hours at 123.45: far beyond any invoice, still a safe integer
    expect(amountForMinutes(60_000_000, 12_345)).toBe(12_345_000_000);
  });
});

describe('VAT', () => {
  test('standard rate is 21% half-up; exempt and out of scope are zero', () => {
    expect(vatAmount(36_563, 'S')).toBe(7_678); // 7678.23
    expect(vatAmount(250, 'S')).toBe(53); // 52.5 -> 53
    expect(vatAmount(-250, 'S')).toBe(-53);
    expect(vatAmount(36_563, 'E')).toBe(0);
    expect(vatAmount(36_563, 'O')).toBe(0);
  });
});

describe('formatting', () => {
  test('nl-NL euro', () => {
    expect(formatEuro(123_456)).toBe('€ 1.234,56');
    expect(formatEuro(5)).toBe('€ 0,05');
    expect(formatEuro(-36_563)).toMatch(/^€ ?-365,63$|^-€ ?365,63$/);
  });
  test('decimal for UBL and CSV', () => {
    expect(centsToDecimal(36_563)).toBe('365.63');
    expect(centsToDecimal(5)).toBe('0.05');
    expect(centsToDecimal(-105)).toBe('-1.05');
    expect(centsToDecimal(0)).toBe('0.00');
  });
  test('hours', () => {
    expect(formatHours(234)).toBe('3:54');
    expect(formatHours(60)).toBe('1:00');
  });
});
