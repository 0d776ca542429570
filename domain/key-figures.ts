// Key figures (verdeelmaatstaven): parsing a CSV in the layout of CBS open-data tables, and the
// figures after a municipal merger. Pure; the caller writes one version document or nothing.
import { parse } from 'csv-parse/sync';
import type { CsvRowError } from './refusals';

export interface ParsedFigures {
  figures: Record<string, number>;
  errors: CsvRowError[];
  /** Regions that are not a participant organisation (CBS tables list every municipality). */
  skipped: { row: number; region: string }[];
  column: string;
}

/** The rows of a CSV with the line each starts on; quoted cells may hold line breaks and delimiters. */
function readRows(text: string, delimiter: string): { rows: { line: number; cells: string[] }[]; error: CsvRowError | null } {
  try {
    const records = parse(text, {
      delimiter,
      bom: true,
      trim: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
    }) as { record: string[]; info: { lines: number } }[];
    return {
      rows: records.map(({ record, info }) => ({
        line: info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0),
        cells: record.map((cell) => cell.trim()),
      })),
      error: null,
    };
  } catch (err) {
    const line = typeof (err as { lines?: unknown }).lines === 'number' ? (err as { lines: number }).lines : 1;
    return { rows: [], error: { row: line, problem: { code: 'unreadable' } } };
  }
}

/**
 * Reads a CBS-style table: a header row, then one row per region. The region is a CBS
 * municipality code (GM0505, also padded as in the OData feeds) or a name; the figure is the
 * named column, or the last one. Delimiter `;` (StatLine) or `,`. Every bad row is reported
 * with the line it starts on (the header is line 1); the caller writes nothing when there is one.
 *
 * @param resolve maps a region (code or name) to a participant code, or null when unknown
 */
export function parseKeyFigureCsv(text: string, resolve: (region: string) => string | null, column?: string): ParsedFigures {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  const delimiter = (header.match(/;/g)?.length ?? 0) >= (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  const errors: CsvRowError[] = [];
  const skipped: ParsedFigures['skipped'] = [];
  const figures: Record<string, number> = {};
  const read = readRows(text, delimiter);
  if (read.error) return { figures, errors: [read.error], skipped, column: '' };
  const [head, ...body] = read.rows;
  const heads = head?.cells ?? [];
  if (heads.length < 2) return { figures, errors: [{ row: 1, problem: { code: 'header_incomplete' } }], skipped, column: '' };
  let regionCol = heads.findIndex((h) => /regio|gemeente|code|naam|name/i.test(h));
  if (regionCol < 0) regionCol = 0;
  const figureCol = column ? heads.findIndex((h) => h === column) : heads.length - 1;
  if (figureCol < 0)
    return { figures, errors: [{ row: 1, problem: { code: 'no_such_column', column: column ?? '' } }], skipped, column: column ?? '' };
  const seenAt: Record<string, number> = {};
  for (const { line: row, cells } of body) {
    if (cells.length !== heads.length) {
      errors.push({ row, problem: { code: 'column_count', expected: heads.length, found: cells.length } });
      continue;
    }
    const region = cells[regionCol]!;
    if (!region) {
      errors.push({ row, problem: { code: 'region_empty' } });
      continue;
    }
    const participant = resolve(region);
    if (!participant) {
      skipped.push({ row, region });
      continue;
    }
    const raw = cells[figureCol]!.replace(/\s/g, '');
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      errors.push({ row, problem: { code: 'figure_not_whole', region, found: cells[figureCol]! } });
      continue;
    }
    if (seenAt[participant] !== undefined) {
      errors.push({ row, problem: { code: 'region_twice', region, otherRow: seenAt[participant]! } });
      continue;
    }
    seenAt[participant] = row;
    figures[participant] = Number(raw);
  }
  if (errors.length === 0 && Object.keys(figures).length === 0) errors.push({ row: 1, problem: { code: 'no_participant_rows' } });
  return { figures, errors, skipped, column: heads[figureCol]! };
}

/** Normalises a CBS code ("GM0505    ", "gm0505") or returns null when it is not one. */
export function cbsCode(region: string): string | null {
  const m = /^GM(\d{4})$/i.exec(region.trim());
  return m ? `GM${m[1]}` : null;
}

/** The figures after `merged` municipalities join `into`: the sum moves to `into`, the merged ones go. */
export function mergeFigures(figures: Record<string, number>, merged: readonly string[], into: string): Record<string, number> {
  const out: Record<string, number> = {};
  let moved = 0;
  let any = false;
  for (const [p, v] of Object.entries(figures)) {
    if (merged.includes(p)) {
      moved += v;
      any = true;
    } else out[p] = v;
  }
  if (any || out[into] !== undefined) out[into] = (out[into] ?? 0) + moved;
  return out;
}
