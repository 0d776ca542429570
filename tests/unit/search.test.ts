// Search tokens: what a person types finds what they mean, without $text.
import { queryTokens, searchTokens } from '../../domain/search';

const finds = (q: string, tokens: string[]) => queryTokens(q).every((t) => tokens.includes(t));

test('a word of the title is found by its start, in any case and without accents', () => {
  const tokens = searchTokens({ prefixed: ['Verzuimanalyse Coördinatie 2026'] });
  expect(finds('verzuim', tokens)).toBe(true);
  expect(finds('VERZUIMANALYSE coordinatie', tokens)).toBe(true);
  expect(finds('2026', tokens)).toBe(true);
  expect(finds('analyse', tokens)).toBe(false); // the middle of a word is not a start
  expect(finds('verzuim 2027', tokens)).toBe(false); // every word must match
});

test('a description and references are found by whole words only', () => {
  const tokens = searchTokens({ whole: ['Per school, met aanbevelingen.', 'DOR-2026-00042'] });
  expect(finds('aanbevelingen', tokens)).toBe(true);
  expect(finds('aanbev', tokens)).toBe(false);
  expect(finds('DOR-2026-00042', tokens)).toBe(true);
});

test('an empty search box matches everything; a long one is cut to ten words', () => {
  expect(queryTokens('   ')).toEqual([]);
  expect(queryTokens('a b c d e f g h i j k l')).toHaveLength(10);
});
