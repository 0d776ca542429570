import { parse } from 'csv-parse/sync';
import { safeCell, toCsv } from '../../app/core/csv';

test.each([
  ['=1+1', "'=1+1"],
  ['+31 78 123', "'+31 78 123"],
  ['-x', "'-x"],
  ['@SUM(A1)', "'@SUM(A1)"],
  ['\tlead', "'\tlead"],
  ['\rlead', "'\rlead"],
  ['-12.50', '-12.50'],
  ['12.50', '12.50'],
  ['DOR-2026-00001', 'DOR-2026-00001'],
])('a cell %p is written as %p', (cell, written) => expect(safeCell(cell)).toBe(written));

test('the CSV reads back with the formulas as text', () => {
  expect(parse(toCsv(['a', 'b'], [['=cmd|x', -5]]))).toEqual([
    ['a', 'b'],
    ["'=cmd|x", '-5'],
  ]);
});
