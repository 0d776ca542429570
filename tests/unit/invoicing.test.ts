import { addDays, isQuarterEnd, periodBounds, previousPeriod } from '../../domain/dates';
import { calculateInvoice, formatInvoiceNumber, type BillableEntry } from '../../domain/invoicing';

const entry = (requestId: string, minutes: number, over: Partial<BillableEntry> = {}): BillableEntry => ({
  requestId,
  minutes,
  rateCentsPerHour: 9_375,
  roundingRule: 'up6',
  vatCategory: 'O',
  ...over,
});

describe('calculateInvoice', () => {
  test('when entries of one request are rounded each, then the line sums the rounded minutes', () => {
    const inv = calculateInvoice([entry('A', 95), entry('A', 133)]);
    expect(inv.lines).toEqual([
      { requestId: 'A', late: false, minutes: 234, rateCentsPerHour: 9_375, amountCents: 36_563, vatCategory: 'O', entryCount: 2 },
    ]);
    expect(inv).toMatchObject({ netCents: 36_563, vatCents: 0, grossCents: 36_563 });
    expect(inv.vat).toEqual([
      { category: 'O', percent: 0, baseCents: 36_563, vatCents: 0, exemptionReason: expect.stringContaining('Niet onderworpen') },
    ]);
  });

  test('when there are several categories, then VAT is per category on the sum of its lines, and everything agrees', () => {
    const inv = calculateInvoice([
      entry('A', 10, { vatCategory: 'S', roundingRule: 'none', rateCentsPerHour: 10_001 }),
      entry('B', 10, { vatCategory: 'S', roundingRule: 'none', rateCentsPerHour: 10_001 }),
      entry('C', 60, { vatCategory: 'E', roundingRule: 'none' }),
    ]);
    // A and B: 10 min x 100.01 / 60 = 1666.83 -> 1667 ct each; base 3334; VAT 21% = 700.14 -> 700
    expect(inv.lines.map((l) => l.amountCents)).toEqual([1_667, 1_667, 9_375]);
    expect(inv.vat.map((v) => [v.category, v.baseCents, v.vatCents])).toEqual([
      ['E', 9_375, 0],
      ['S', 3_334, 700],
    ]);
    expect(inv.vat.find((v) => v.category === 'E')?.exemptionReason).toBeTruthy();
    expect(inv.netCents).toBe(inv.lines.reduce((s, l) => s + l.amountCents, 0));
    expect(inv.grossCents).toBe(inv.netCents + inv.vat.reduce((s, v) => s + v.vatCents, 0));
    expect(inv.grossCents).toBe(1_667 + 1_667 + 9_375 + 700);
  });

  test('when one request has entries at two rates, then it gets a line per rate', () => {
    const inv = calculateInvoice([entry('A', 60, { rateCentsPerHour: 8_950 }), entry('A', 60)]);
    expect(inv.lines.map((l) => [l.rateCentsPerHour, l.amountCents])).toEqual([
      [8_950, 8_950],
      [9_375, 9_375],
    ]);
  });

  test('when some hours are from before the period, then they get a line of their own, marked late', () => {
    const inv = calculateInvoice([entry('A', 60), entry('A', 30, { late: true })]);
    expect(inv.lines.map((l) => [l.late, l.minutes])).toEqual([
      [true, 30],
      [false, 60],
    ]);
  });

  test('when there are no entries, then all totals are zero', () => {
    expect(calculateInvoice([])).toEqual({ lines: [], vat: [], netCents: 0, vatCents: 0, grossCents: 0 });
  });
});

describe('periods, numbers and due dates', () => {
  test('period bounds, with leap years', () => {
    expect(periodBounds('2026-11')).toEqual({ start: '2026-11-01', end: '2026-11-30' });
    expect(periodBounds('2028-02')).toEqual({ start: '2028-02-01', end: '2028-02-29' });
    expect(periodBounds('2026-02')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
  });
  test.each(['2026-13', '2026-1', '26-11', '2026-00', ''])('malformed period %p is refused', (p) => {
    expect(() => periodBounds(p)).toThrow(RangeError);
  });
  test('invoice numbers per provider and year', () => {
    expect(formatInvoiceNumber('DOR', 2026, 42)).toBe('DOR-2026-00042');
  });
  test('quarter ends and the period a scheduled run bills', () => {
    expect(['2026-03', '2026-06', '2026-09', '2026-12'].every(isQuarterEnd)).toBe(true);
    expect(isQuarterEnd('2026-11')).toBe(false);
    expect(previousPeriod('2026-11-28')).toBe('2026-10');
    expect(previousPeriod('2027-01-01')).toBe('2026-12');
  });
  test('due date over a month and year end', () => {
    expect(addDays('2026-12-15', 30)).toBe('2027-01-14');
  });
});
