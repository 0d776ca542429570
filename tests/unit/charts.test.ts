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

  test('a chart without figures says so in Dutch instead of drawing empty axes, and stays an accessible image', () => {
    const empties = [
      barChart({ id: 'e', title: 'Uren tegen budget', desc: 'Per opdracht.', bars: [] }),
      stackedBarChart({ id: 'e2', title: 'Uren per maand', desc: 'Per gemeente.', categories: [], series: [] }),
      // Months but no hours in any of them: nothing to draw either.
      stackedBarChart({ id: 'e3', title: 'Uren per maand', desc: 'd', categories: ['2026-10', '2026-11'], series: [] }),
      stackedBarChart({ id: 'e4', title: 'Uren per maand', desc: 'd', categories: ['2026-11'], series: [{ name: 'ZWN', values: [0] }] }),
      burnDownChart({ id: 'e5', title: 'Burn-down', desc: 'd', budget: 0, points: [] }),
    ];
    for (const svg of empties) {
      expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="(e\d?)-title \1-desc"/);
      expect(svg).toMatch(/<text [^>]*>Nog geen gegevens om te tonen\.<\/text>/);
      // No axes, grid lines, ticks or bars: only the sentence.
      expect(svg).not.toMatch(/<line |<rect |<polyline /);
      expect([...svg.matchAll(/<text /g)]).toHaveLength(1);
      // The description tells a screen reader the same.
      expect(/<desc [^>]*>([^<]*)<\/desc>/.exec(svg)![1]).toContain('Nog geen gegevens om te tonen.');
      expect(svg.endsWith('</svg>')).toBe(true);
    }
  });

  test('the legend of a stacked bar chart shows every long name in full, inside the picture', () => {
    const names = [
      'Gemeente Hendrik-Ido-Ambacht',
      'Gemeente Alblasserdam',
      'Gemeente Papendrecht',
      'Gemeente Zwijndrecht',
      'Gemeente Sliedrecht',
    ];
    const svg = stackedBarChart({
      id: 'legend',
      title: 'Uren per gemeente per maand',
      desc: 'd',
      categories: ['2026-11'],
      series: names.map((name, i) => ({ name, values: [i + 1] })),
    });
    const width = Number(/viewBox="0 0 ([\d.]+) /.exec(svg)![1]);
    const height = Number(/viewBox="0 0 [\d.]+ ([\d.]+)"/.exec(svg)![1]);
    const texts = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)<\/text>/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      text: m[3]!,
    }));
    for (const name of names) {
      const item = texts.find((t) => t.text === name);
      expect(item).toBeDefined(); // in full, not cut short with an ellipsis
      // 7 px a character is more than Arial 12 px needs: the whole name fits in the picture.
      expect(item!.x + name.length * 7).toBeLessThanOrEqual(width);
      expect(item!.y).toBeLessThanOrEqual(height);
    }
    expect(svg).not.toContain('…');
    // Items on one row do not run into each other.
    const legend = texts.filter((t) => names.includes(t.text)).sort((a, b) => a.y - b.y || a.x - b.x);
    legend.forEach((t, i) => {
      const next = legend[i + 1];
      if (next && next.y === t.y) expect(t.x + t.text.length * 6.5).toBeLessThan(next.x - 12);
    });
  });

  test('a bar chart makes room for long amounts on the right', () => {
    const svg = barChart({ id: 'wide', title: 't', desc: 'd', format: formatEuro, bars: [{ label: 'DBC → ZWN', value: 123_456_789 }] });
    const width = Number(/viewBox="0 0 ([\d.]+) /.exec(svg)![1]);
    const amount = [...svg.matchAll(/<text x="([\d.]+)"[^>]*>(€ 1\.234\.567,89)<\/text>/g)][0]!;
    expect(Number(amount[1]) + amount[2]!.length * 6.5).toBeLessThanOrEqual(width); // Arial 12 px: digits are 6.7 px
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

  test('a burn-down whose budget is the top of the axis labels it once, not twice on top of each other', () => {
    const svg = burnDownChart({
      id: 'bd2',
      title: 'Burn-down',
      desc: 'd',
      budget: 10,
      unit: 'uur',
      points: [{ label: '29-11-2026', remaining: 9 }],
    });
    const labels = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)<\/text>/g)].map((m) => `${m[1]},${m[2]}`);
    expect(new Set(labels).size).toBe(labels.length);
    expect([...svg.matchAll(/>10<\/text>/g)]).toHaveLength(1);
  });
});
