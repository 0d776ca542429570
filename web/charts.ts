// Small server-side SVG charts for the dashboards. Pure functions: data in, SVG text out.
// Every chart is an <svg role="img"> with a <title> and <desc> (aria-labelledby), and the
// pages show the same figures as a table beside it, so nothing is only in the picture.

/** Colours with at least 3:1 contrast against white (WCAG 2.1 1.4.11 non-text contrast). */
export const PALETTE = ['#1f5fa6', '#b34700', '#2e7d32', '#6a1b9a', '#00695c', '#c62828', '#5d4037', '#37474f'];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

interface Frame {
  /** Unique on the page: ids of title and desc derive from it. */
  id: string;
  title: string;
  desc: string;
}

function open({ id, title, desc }: Frame, width: number, height: number): string {
  const safeId = id.replace(/[^A-Za-z0-9_-]/g, '-');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `role="img" aria-labelledby="${safeId}-title ${safeId}-desc" preserveAspectRatio="xMinYMin meet">` +
    `<title id="${safeId}-title">${escapeXml(title)}</title><desc id="${safeId}-desc">${escapeXml(desc)}</desc>`
  );
}

/** What a chart without figures shows instead of empty axes. */
export const NO_DATA_NL = 'Nog geen gegevens om te tonen.';

/**
 * A generous estimate of the width of a text at a font size in px (a sans-serif such as Arial):
 * the SVG is laid out on the server, which cannot measure, so legends and labels get room for
 * the widest text they may show.
 */
export function textWidth(s: string, fontSize = 12): number {
  let em = 0;
  for (const c of s) {
    if (/[ il.,:;'|!ijtf()[\]]/.test(c)) em += 0.32;
    else if (/[mwMW@]/.test(c)) em += 0.9;
    else if (/[A-Z€]/.test(c)) em += 0.72;
    else em += 0.58;
  }
  return Math.ceil(em * fontSize * 1.05);
}

/** A chart without figures: one line of text, no axes; the description says so too. */
function noData(frame: Frame, width = 400): string {
  const f = { ...frame, desc: `${frame.desc} ${NO_DATA_NL}`.trim() };
  return `${open(f, width, 32)}<text x="0" y="21" font-size="14" fill="#1a1a1a">${escapeXml(NO_DATA_NL)}</text></svg>`;
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toLocaleString('nl-NL');
const text = (x: number, y: number, s: string, attrs = '') =>
  `<text x="${r(x)}" y="${r(y)}" font-size="12" fill="#1a1a1a"${attrs ? ` ${attrs}` : ''}>${escapeXml(s)}</text>`;
const r = (n: number) => Math.round(n * 10) / 10;

/** A tidy upper bound for an axis: 1, 2 or 5 times a power of ten, at least the maximum. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

export interface Bar {
  label: string;
  value: number;
  /** Optional second value drawn as a marker, e.g. the budget against hours spent. */
  target?: number | null;
}

/** Horizontal bars with a label on the left and the value on the right; optional target markers. */
export function barChart(
  frame: Frame & {
    bars: Bar[];
    unit?: string;
    targetLabel?: string;
    /** How a value is written (e.g. formatEuro for values in cents); default: one decimal + unit. */
    format?: (value: number) => string;
  },
): string {
  if (frame.bars.length === 0) return noData(frame);
  const labelWidth = 200;
  const barArea = 320;
  const rowHeight = 28;
  const max = niceMax(Math.max(0, ...frame.bars.map((b) => Math.max(b.value, b.target ?? 0))));
  const unit = frame.unit ? ` ${frame.unit}` : '';
  const show = frame.format ?? ((n: number) => `${fmt(n)}${unit}`);
  const valueText = (b: Bar) => (b.target != null ? `${fmt(b.value)} / ${show(b.target)}` : show(b.value));
  // Room on the right for the longest value and for the target legend under the axis.
  const valueWidth = Math.max(90, ...frame.bars.map((b) => textWidth(valueText(b)) + 12));
  const targetWidth = frame.targetLabel ? textWidth(`| = ${frame.targetLabel}`) + 12 : 0;
  const width = labelWidth + barArea + Math.max(valueWidth, targetWidth);
  const height = frame.bars.length * rowHeight + 30;
  const parts = [open(frame, width, height)];
  frame.bars.forEach((b, i) => {
    const y = i * rowHeight + 6;
    const w = (Math.max(0, b.value) / max) * barArea;
    const over = b.target != null && b.value > b.target;
    parts.push(text(labelWidth - 8, y + 15, fitText(b.label, labelWidth - 12), 'text-anchor="end"'));
    parts.push(
      `<rect x="${labelWidth}" y="${y}" width="${r(w)}" height="18" fill="${over ? PALETTE[5] : PALETTE[0]}"><title>${escapeXml(
        `${b.label}: ${show(b.value)}${b.target != null ? ` van ${show(b.target)}` : ''}`,
      )}</title></rect>`,
    );
    if (b.target != null) {
      const tx = labelWidth + (b.target / max) * barArea;
      parts.push(`<line x1="${r(tx)}" x2="${r(tx)}" y1="${y - 3}" y2="${y + 21}" stroke="#1a1a1a" stroke-width="2"/>`);
    }
    parts.push(text(labelWidth + barArea + 6, y + 15, valueText(b)));
  });
  const axisY = height - 14;
  parts.push(`<line x1="${labelWidth}" x2="${labelWidth + barArea}" y1="${axisY - 6}" y2="${axisY - 6}" stroke="#595959"/>`);
  parts.push(text(labelWidth, axisY + 8, '0'));
  parts.push(text(labelWidth + barArea, axisY + 8, show(max), 'text-anchor="end"'));
  if (frame.targetLabel) parts.push(text(width - 4, axisY + 8, `| = ${frame.targetLabel}`, 'text-anchor="end"'));
  parts.push('</svg>');
  return parts.join('');
}

export interface Series {
  name: string;
  values: number[];
}

/** Vertical stacked bars: one column per category (e.g. month), one colour per series (e.g. municipality). */
export function stackedBarChart(frame: Frame & { categories: string[]; series: Series[]; unit?: string }): string {
  const totals = frame.categories.map((_, i) => frame.series.reduce((s, x) => s + Math.max(0, x.values[i] ?? 0), 0));
  if (!totals.some((t) => t > 0)) return noData(frame);
  const left = 50;
  const top = 10;
  const plotHeight = 200;
  const colWidth = 56;
  // The legend shows every name in full: items flow into rows as wide as the chart; the chart
  // grows to fit the widest item.
  const swatch = 16;
  const gap = 20;
  const items = frame.series.map((s) => ({ name: s.name, width: swatch + textWidth(s.name) }));
  const width = Math.max(400, left + frame.categories.length * colWidth + 20, left + Math.max(0, ...items.map((i) => i.width)) + 10);
  const placed: { x: number; row: number }[] = [];
  let x = left;
  let row = 0;
  for (const item of items) {
    if (x > left && x + item.width > width - 10) {
      row += 1;
      x = left;
    }
    placed.push({ x, row });
    x += item.width + gap;
  }
  const legendRows = items.length ? row + 1 : 0;
  const legendTop = top + plotHeight + 30;
  const height = legendTop + legendRows * 20 + 10;
  const max = niceMax(Math.max(0, ...totals));
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  const parts = [open(frame, width, height)];
  for (const tick of [0, max / 2, max]) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${r(y(tick))}" y2="${r(y(tick))}" stroke="#cccccc"/>`);
    parts.push(text(left - 6, y(tick) + 4, fmt(tick), 'text-anchor="end"'));
  }
  frame.categories.forEach((cat, i) => {
    let base = 0;
    const x = left + 8 + i * colWidth;
    frame.series.forEach((s, si) => {
      const v = Math.max(0, s.values[i] ?? 0);
      if (v === 0) return;
      parts.push(
        `<rect x="${x}" y="${r(y(base + v))}" width="${colWidth - 16}" height="${r(y(base) - y(base + v))}" fill="${
          PALETTE[si % PALETTE.length]
        }" stroke="#ffffff"><title>${escapeXml(`${s.name}, ${cat}: ${fmt(v)}${frame.unit ? ` ${frame.unit}` : ''}`)}</title></rect>`,
      );
      base += v;
    });
    parts.push(text(x + (colWidth - 16) / 2, top + plotHeight + 16, cat, 'text-anchor="middle"'));
  });
  frame.series.forEach((s, si) => {
    const { x: lx, row: lr } = placed[si]!;
    const ly = legendTop + lr * 20;
    parts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`);
    parts.push(text(lx + swatch, ly + 11, s.name));
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface BurnPoint {
  label: string;
  /** Remaining budget after this point, in the chart's unit. */
  remaining: number;
}

/** Burn-down: the remaining budget after each registration, from the full budget down. */
export function burnDownChart(frame: Frame & { budget: number; points: BurnPoint[]; unit?: string }): string {
  const left = 50;
  const top = 10;
  const plotWidth = 420;
  const plotHeight = 160;
  const width = left + plotWidth + 20;
  const height = top + plotHeight + 40;
  if (!(frame.budget > 0) && frame.points.length === 0) return noData(frame, width);
  const all = [{ label: 'start', remaining: frame.budget }, ...frame.points];
  const max = niceMax(Math.max(frame.budget, ...all.map((p) => p.remaining)));
  const min = Math.min(0, ...all.map((p) => p.remaining));
  const y = (v: number) => top + ((max - v) / (max - min || 1)) * plotHeight;
  const x = (i: number) => left + (all.length > 1 ? (i / (all.length - 1)) * plotWidth : 0);
  const parts = [open(frame, width, height)];
  // One grid line per value (the budget often is the maximum); a label only where it does not
  // overlap one already drawn.
  const labelled: number[] = [];
  for (const tick of [...new Set([max, frame.budget, 0])]) {
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${r(y(tick))}" y2="${r(y(tick))}" stroke="#cccccc"/>`);
    if (labelled.some((ly) => Math.abs(ly - y(tick)) < 14)) continue;
    labelled.push(y(tick));
    parts.push(text(left - 6, y(tick) + 4, fmt(tick), 'text-anchor="end"'));
  }
  const path = all.map((p, i) => `${r(x(i))},${r(y(p.remaining))}`).join(' ');
  parts.push(`<polyline points="${path}" fill="none" stroke="${PALETTE[0]}" stroke-width="3"/>`);
  all.forEach((p, i) => {
    parts.push(
      `<circle cx="${r(x(i))}" cy="${r(y(p.remaining))}" r="4" fill="${p.remaining < 0 ? PALETTE[5] : PALETTE[0]}"><title>${escapeXml(
        `${p.label}: ${fmt(p.remaining)}${frame.unit ? ` ${frame.unit}` : ''} over`,
      )}</title></circle>`,
    );
  });
  parts.push(text(left, top + plotHeight + 20, all[0]!.label));
  if (all.length > 1) parts.push(text(left + plotWidth, top + plotHeight + 20, all[all.length - 1]!.label, 'text-anchor="end"'));
  parts.push('</svg>');
  return parts.join('');
}

/** The text, shortened with an ellipsis to fit a width (the full text stays in the element's title). */
function fitText(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  let n = s.length;
  while (n > 1 && textWidth(`${s.slice(0, n)}…`) > width) n--;
  return `${s.slice(0, n).trimEnd()}…`;
}
