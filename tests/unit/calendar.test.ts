import { addWorkingDays, isWorkingDay, slaPlan, workingDaysBetween } from '../../domain/calendar';

describe('working days (weekends and Dutch public holidays do not count)', () => {
  test.each([
    ['2026-11-27', true], // Friday
    ['2026-11-28', false], // Saturday
    ['2026-11-29', false], // Sunday
    ['2026-12-25', false], // Kerstmis
    ['2026-12-26', false], // Tweede kerstdag (Saturday anyway)
    ['2026-04-27', false], // Koningsdag
    ['2026-05-05', false], // Bevrijdingsdag (every year for municipalities)
    ['2026-05-14', false], // Hemelvaartsdag
    ['2026-05-25', false], // Tweede pinksterdag
    ['2026-04-06', false], // Tweede paasdag
    ['2026-04-03', true], // Goede Vrijdag is no public holiday
    ['2027-01-01', false], // Nieuwjaar
  ])('%s working day: %p', (date, expected) => expect(isWorkingDay(date)).toBe(expected));

  test('when 5 working days are added on a Friday, then the weekend is skipped', () => {
    expect(addWorkingDays('2026-11-27', 5)).toBe('2026-12-04');
  });
  test('when the period spans Christmas and New Year, then the holidays are skipped', () => {
    // 24 Dec (Thu) + 3: 28 (Mon), 29, 30
    expect(addWorkingDays('2026-12-24', 3)).toBe('2026-12-30');
    // 30 Dec + 2: 31 Dec, (1 Jan holiday, weekend) 4 Jan
    expect(addWorkingDays('2026-12-30', 2)).toBe('2027-01-04');
  });
  test('when the period spans Ascension Day, then it is skipped', () => {
    expect(addWorkingDays('2026-05-13', 1)).toBe('2026-05-15');
  });
  test('zero working days is the same day; negative is refused', () => {
    expect(addWorkingDays('2026-11-27', 0)).toBe('2026-11-27');
    expect(() => addWorkingDays('2026-11-27', -1)).toThrow(RangeError);
  });
  test('counting back and forth agrees', () => {
    expect(workingDaysBetween('2026-12-24', addWorkingDays('2026-12-24', 7))).toBe(7);
  });
  test('the reminder is one working day before the deadline', () => {
    expect(slaPlan('2026-11-27', 5)).toEqual({ deadline: '2026-12-04', reminder: '2026-12-03' });
  });
});
