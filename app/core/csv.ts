// CSV for spreadsheets: a cell that a spreadsheet would run as a formula (starting with =, +,
// -, @, a tab or a carriage return) is written with a leading quote, so it stays text.
// Plain numbers (also negative amounts) stay numbers.
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

export function safeCell(value: unknown): string | number {
  if (typeof value === 'number') return value;
  const s = value === null || value === undefined ? '' : String(value);
  return FORMULA_START.test(s) && !NUMBER.test(s) ? `'${s}` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([header.map(safeCell), ...rows.map((r) => r.map(safeCell))]);
}
