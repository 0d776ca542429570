// A Handlebars helper shadows a property of the same name: `{{hours}}` calls the helper, with no
// argument, and printed NaN on every invoice. No template may use a helper's name bare.
import fs from 'node:fs';
import path from 'node:path';
import { viewHelpers } from '../../web/format';

const dir = path.join(__dirname, '..', '..', 'templates');
const files = (d: string): string[] =>
  fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));

test('no template prints a property that a helper shadows', () => {
  const helpers = new Set([...Object.keys(viewHelpers), 'euro', 'eq']);
  const bare: string[] = [];
  for (const f of files(dir).filter((x) => x.endsWith('.hbs'))) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\{\{\{?\s*([A-Za-z_][\w]*)\s*\}?\}\}/g)) {
      if (helpers.has(m[1]!)) bare.push(`${path.relative(dir, f)}: ${m[0]}`);
    }
  }
  expect(bare).toEqual([]);
});
