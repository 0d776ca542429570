// Key figures (verdeelmaatstaven): parsing a CSV in the layout of CBS open-data tables, and the
// figures after a municipal merger. Pure; the caller writes one version document or nothing.

export interface CsvRowError {
  row: number;
  message: string;
}

export interface ParsedFigures {
  figures: Record<string, number>;
  errors: CsvRowError[];
  /** Regions that are not a participant organisation (CBS tables list every municipality). */
  skipped: { row: number; region: string }[];
  column: string;
}

/** Splits one CSV line with quotes ("" inside quotes is a quote). */
export function splitCsvLine(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells.map((x) => x.trim());
}

/**
 * Reads a CBS-style table: a header row, then one row per region. The region is a CBS
 * municipality code (GM0505, also padded as in the OData feeds) or a name; the figure is the
 * named column, or the last one. Delimiter `;` (StatLine) or `,`. Every bad row is reported
 * with its line number (the header is line 1); the caller writes nothing when there is one.
 *
 * @param resolve maps a region (code or name) to a participant code, or null when unknown
 */
export function parseKeyFigureCsv(text: string, resolve: (region: string) => string | null, column?: string): ParsedFigures {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0] ?? '';
  const delimiter = (header.match(/;/g)?.length ?? 0) >= (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  const heads = splitCsvLine(header, delimiter);
  const errors: CsvRowError[] = [];
  const skipped: ParsedFigures['skipped'] = [];
  const figures: Record<string, number> = {};
  if (heads.length < 2)
    return { figures, errors: [{ row: 1, message: 'the header needs a region column and a figure column' }], skipped, column: '' };
  let regionCol = heads.findIndex((h) => /regio|gemeente|code|naam|name/i.test(h));
  if (regionCol < 0) regionCol = 0;
  const figureCol = column ? heads.findIndex((h) => h === column) : heads.length - 1;
  if (figureCol < 0) return { figures, errors: [{ row: 1, message: `there is no column "${column}"` }], skipped, column: column ?? '' };
  const seenAt: Record<string, number> = {};
  lines.slice(1).forEach((line, i) => {
    const row = i + 2;
    if (line.trim() === '') return;
    const cells = splitCsvLine(line, delimiter);
    if (cells.length !== heads.length) {
      errors.push({ row, message: `expected ${heads.length} columns, found ${cells.length}` });
      return;
    }
    const region = cells[regionCol]!;
    if (!region) {
      errors.push({ row, message: 'the region is empty' });
      return;
    }
    const participant = resolve(region);
    if (!participant) {
      skipped.push({ row, region });
      return;
    }
    const raw = cells[figureCol]!.replace(/\s/g, '');
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      errors.push({ row, message: `the figure of ${region} must be a whole number, 0 or more (found "${cells[figureCol]}")` });
      return;
    }
    if (seenAt[participant] !== undefined) {
      errors.push({ row, message: `${region} (${participant}) appears twice, also on row ${seenAt[participant]}` });
      return;
    }
    seenAt[participant] = row;
    figures[participant] = Number(raw);
  });
  if (errors.length === 0 && Object.keys(figures).length === 0) errors.push({ row: 1, message: 'no row names a participant' });
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
