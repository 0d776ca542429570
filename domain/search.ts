// Search without $text (FerretDB v1 has none): a normalised token field with an index. Words of
// a title are stored with their prefixes, so "verzuim" finds "Verzuimanalyse"; words of longer
// texts (descriptions, references) are stored whole. A query matches when every one of its
// words is among the tokens ($all), on FerretDB and MongoDB alike.
const MIN_PREFIX = 2;
const MAX_TOKEN = 24;

/** Lower case, no accents, letters and digits only: "Coördinatie" and "coordinatie" are one. */
export function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const words = (text: string): string[] =>
  normalise(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w.slice(0, MAX_TOKEN));

export function searchTokens(fields: {
  prefixed?: readonly (string | null | undefined)[];
  whole?: readonly (string | null | undefined)[];
}): string[] {
  const out = new Set<string>();
  for (const text of fields.prefixed ?? [])
    for (const w of words(text ?? '')) for (let n = Math.min(MIN_PREFIX, w.length); n <= w.length; n++) out.add(w.slice(0, n));
  for (const text of fields.whole ?? []) for (const w of words(text ?? '')) out.add(w);
  return [...out];
}

/** The words of a search box, as tokens to match; none when it is empty. */
export function queryTokens(q: string | null | undefined): string[] {
  return [...new Set(words(q ?? ''))].slice(0, 10);
}
