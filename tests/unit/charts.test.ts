import { formatEuro } from '../../domain/money';
import { barChart, burnDownChart, escapeXml, niceMax, stackedBarChart } from '../../web/charts';

const rects = (svg: string) => [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));

describe('SVG charts', () => {
  test('a money chart writes each amount to the cent, as the tables and documents do', () => {
    const svg = barChart({ id: 'm', title: 'Aandelen', desc: 'd', format: formatEuro, bars: [{ label: 'ALB', value: 496_715 }] });
    expect(svg).toContain('€ 4.967,15');
    expect(svg).not.toContain('4.967,2');
  });

  test('niceMax rounds up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(12)).toBe(20);
    expect(niceMax(40)).toBe(50);
    expect(niceMax(100)).toBe(100);
  });

  test('a bar chart is an accessible image with title and desc, bars in proportion', () => {
    const svg = barChart({
      id: 'b1',
      title: 'Uren tegen budget',
      desc: 'Twee opdrachten',
      unit: 'uur',
      bars: [
        { label: 'A', value: 50, target: 100 },
        { label: 'B', value: 25, target: 20 },
      ],
    });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="b1-title b1-desc"/);
    expect(svg).toContain('<title id="b1-title">Uren tegen budget</title>');
    expect(svg).toContain('<desc id="b1-desc">Twee opdrachten</desc>');
    const [a, b] = rects(svg);
    expect(a).toBeCloseTo(2 * b!, 5);
    // B is over its budget: drawn in the warning colour
    expect(svg).toMatch(/fill="#c62828"><title>B: 25 uur van 20 uur/);
    expect(svg).toContain('50 / 100 uur');
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  test('text is escaped, so a title cannot inject markup', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    const svg = barChart({ id: 'x', title: '<script>', desc: 'd', bars: [{ label: '<b>', value: 1 }] });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
  });

  test('an empty chart says there is no data', () => {
    expect(barChart({ id: 'e', title: 't', desc: 'd', bars: [] })).toContain('Geen gegevens');
    expect(stackedBarChart({ id: 'e2', title: 't', desc: 'd', categories: [], series: [] })).toContain('Geen gegevens');
  });

  test('a stacked bar chart stacks the series per category and has a legend', () => {
    const svg = stackedBarChart({
      id: 's',
      title: 'Uren per gemeente per maand',
      desc: 'd',
      categories: ['2026-10', '2026-11'],
      series: [
        { name: 'ZWN', values: [10, 0] },
        { name: 'PAP', values: [30, 20] },
      ],
    });
    expect(svg).toContain('<title>ZWN, 2026-10: 10</title>');
    expect(svg).toContain('<title>PAP, 2026-11: 20</title>');
    expect(svg).not.toContain('ZWN, 2026-11'); // zero values draw nothing
    const heights = [...svg.matchAll(/height="([\d.]+)" fill="#[0-9a-f]+" stroke="#ffffff"><title>([^<]+)</g)].map((m) => [
      m[2],
      Number(m[1]),
    ]);
    const h = Object.fromEntries(heights);
    expect(h['PAP, 2026-10: 30']).toBeCloseTo(3 * h['ZWN, 2026-10: 10'], 5);
    expect(svg).toMatch(/<text[^>]*>PAP<\/text>/);
  });

  test('a burn-down starts at the budget and goes below zero in the warning colour', () => {
    const svg = burnDownChart({
      id: 'bd',
      title: 'Burn-down',
      desc: 'd',
      budget: 10,
      unit: 'uur',
      points: [
        { label: '01-11-2026', remaining: 6 },
        { label: '02-11-2026', remaining: -2 },
      ],
    });
    const points = /<polyline points="([^"]+)"/.exec(svg)![1]!.split(' ');
    expect(points).toHaveLength(3);
    const ys = points.map((p) => Number(p.split(',')[1]));
    expect(ys[0]).toBeLessThan(ys[1]!);
    expect(ys[1]).toBeLessThan(ys[2]!);
    expect(svg).toMatch(/fill="#c62828"><title>02-11-2026: -2 uur over/);
  });
});
