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
  const labelWidth = 200;
  const barArea = 320;
  const rowHeight = 28;
  const width = labelWidth + barArea + 90;
  const height = Math.max(1, frame.bars.length) * rowHeight + 30;
  const max = niceMax(Math.max(0, ...frame.bars.map((b) => Math.max(b.value, b.target ?? 0))));
  const unit = frame.unit ? ` ${frame.unit}` : '';
  const show = frame.format ?? ((n: number) => `${fmt(n)}${unit}`);
  const parts = [open(frame, width, height)];
  if (frame.bars.length === 0) parts.push(text(10, 20, 'Geen gegevens'));
  frame.bars.forEach((b, i) => {
    const y = i * rowHeight + 6;
    const w = (Math.max(0, b.value) / max) * barArea;
    const over = b.target != null && b.value > b.target;
    parts.push(text(labelWidth - 8, y + 15, truncate(b.label, 30), 'text-anchor="end"'));
    parts.push(
      `<rect x="${labelWidth}" y="${y}" width="${r(w)}" height="18" fill="${over ? PALETTE[5] : PALETTE[0]}"><title>${escapeXml(
        `${b.label}: ${show(b.value)}${b.target != null ? ` van ${show(b.target)}` : ''}`,
      )}</title></rect>`,
    );
    if (b.target != null) {
      const tx = labelWidth + (b.target / max) * barArea;
      parts.push(`<line x1="${r(tx)}" x2="${r(tx)}" y1="${y - 3}" y2="${y + 21}" stroke="#1a1a1a" stroke-width="2"/>`);
    }
    const valueText = b.target != null ? `${fmt(b.value)} / ${show(b.target)}` : show(b.value);
    parts.push(text(labelWidth + barArea + 6, y + 15, valueText));
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
  const left = 50;
  const top = 10;
  const plotHeight = 200;
  const colWidth = 56;
  const legendRows = Math.ceil(frame.series.length / 3);
  const width = Math.max(400, left + frame.categories.length * colWidth + 20);
  const height = top + plotHeight + 30 + legendRows * 20 + 10;
  const totals = frame.categories.map((_, i) => frame.series.reduce((s, x) => s + Math.max(0, x.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  const parts = [open(frame, width, height)];
  for (const tick of [0, max / 2, max]) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${r(y(tick))}" y2="${r(y(tick))}" stroke="#cccccc"/>`);
    parts.push(text(left - 6, y(tick) + 4, fmt(tick), 'text-anchor="end"'));
  }
  if (frame.categories.length === 0) parts.push(text(left + 10, top + plotHeight / 2, 'Geen gegevens'));
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
    const lx = left + (si % 3) * 130;
    const ly = top + plotHeight + 30 + Math.floor(si / 3) * 20;
    parts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`);
    parts.push(text(lx + 16, ly + 11, truncate(s.name, 16)));
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
  const all = [{ label: 'start', remaining: frame.budget }, ...frame.points];
  const max = niceMax(Math.max(frame.budget, ...all.map((p) => p.remaining)));
  const min = Math.min(0, ...all.map((p) => p.remaining));
  const y = (v: number) => top + ((max - v) / (max - min || 1)) * plotHeight;
  const x = (i: number) => left + (all.length > 1 ? (i / (all.length - 1)) * plotWidth : 0);
  const parts = [open(frame, width, height)];
  for (const tick of [max, frame.budget, 0]) {
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${r(y(tick))}" y2="${r(y(tick))}" stroke="#cccccc"/>`);
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

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
