// Handlebars views from templates/: one layout, shared partials, compiled once.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatEuro } from '../domain/money';

const TEMPLATES = path.join(__dirname, '..', '..', 'templates');

function templatesDir(): string {
  // Compiled code runs from dist/api, sources from api/: find templates/ in either case.
  for (const dir of [path.join(__dirname, '..', 'templates'), TEMPLATES]) {
    if (fs.existsSync(path.join(dir, 'pages', 'layout.hbs'))) return dir;
  }
  throw new Error('templates/ not found');
}

export type Views = ReturnType<typeof createViews>;

/** `helpers`: extra Handlebars helpers (the web pages add date, hours and label helpers). */
export function createViews(helpers: Record<string, Handlebars.HelperDelegate> = {}) {
  const dir = templatesDir();
  const hb = Handlebars.create();
  hb.registerHelper('euro', (cents: number) => formatEuro(cents));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn);
  const partials = path.join(dir, 'partials');
  if (fs.existsSync(partials)) {
    for (const f of fs.readdirSync(partials).filter((n) => n.endsWith('.hbs'))) {
      hb.registerPartial(path.basename(f, '.hbs'), fs.readFileSync(path.join(partials, f), 'utf8'));
    }
  }
  const cache = new Map<string, Handlebars.TemplateDelegate>();
  const compile = (name: string) => {
    let t = cache.get(name);
    if (!t) {
      t = hb.compile(fs.readFileSync(path.join(dir, `${name}.hbs`), 'utf8'));
      cache.set(name, t);
    }
    return t;
  };
  return {
    /** A page, document or mail body inside its layout (`pages/layout`, `documents/layout`, `mail/layout`). */
    render(name: string, data: Record<string, unknown>, layout: string): string {
      const body = compile(name)(data);
      return compile(layout)({ ...data, body });
    },
  };
}
