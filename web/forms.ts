// Forms on the pages: a refusal of the application layer becomes a Dutch message on the field
// it names (the form may call that field differently) or above the form. The message comes
// from the code, never from English text.
import type { Request, Response } from 'express';
import { Refusal, type InputIssue } from '../domain/refusals';
import { refusalNl, type Namer } from '../i18n/nl';
import { flash } from './session';

export type Errors = Record<string, string>;
export type Body = Record<string, string | string[] | undefined>;

/** Refusals that are not about the form: they go to the error page (not found, not signed in). */
const NOT_ABOUT_THE_FORM = new Set(['not_found', 'not_authenticated', 'form_expired']);

/** The refusal behind an error when it belongs on the form, else null. */
export function formRefusal(err: unknown): Refusal | null {
  const r = err instanceof Refusal ? err : null;
  return r && !NOT_ABOUT_THE_FORM.has(r.code) ? r : null;
}

/** The Dutch errors of a refusal, by the form's field names (`fields` maps the feature's names to the form's). */
export type FieldNames = Record<string, string> | ((field: string) => string | undefined);
export function errorsOf(r: Refusal, name: Namer, fields: FieldNames = {}): Errors {
  const rename = (f: string) => (typeof fields === 'function' ? fields(f) : fields[f]);
  const at = (f: string | undefined) => (f ? (rename(f) ?? f) : '_form');
  const errors: Errors = { [at(r.field)]: refusalNl(r.info(), name) };
  // Bad input in several fields: every field gets its message at once.
  if (r.code === 'invalid_input')
    for (const issue of (r.params as { more?: InputIssue[] }).more ?? [])
      errors[at(issue.field)] ??= refusalNl(
        { code: 'invalid_input', params: { problem: issue.problem, limit: issue.limit }, field: issue.field },
        name,
      );
  return errors;
}

/** A list of errors for the summary above a form. */
export const errorList = (errors: Errors) => Object.entries(errors).map(([field, message]) => ({ field, message }));

/**
 * Runs a form's action: on success a flash message and a redirect (303); on a refusal the form
 * again, with the values that were sent and the Dutch message, with the refusal's status.
 */
export async function submitForm<T>(
  req: Request,
  res: Response,
  opts: {
    run: () => Promise<T>;
    name: Namer;
    fields?: FieldNames;
    again: (errors: Errors, status: number) => Promise<void>;
    done: (result: T) => { flash?: string; to: string };
  },
): Promise<void> {
  let result: T;
  try {
    result = await opts.run();
  } catch (err) {
    const refusal = formRefusal(err);
    if (!refusal) throw err;
    return opts.again(errorsOf(refusal, opts.name, opts.fields), refusal.status);
  }
  const next = opts.done(result);
  if (next.flash) flash(req, next.flash);
  res.redirect(303, next.to);
}

export const str = (v: unknown) => (Array.isArray(v) ? String(v[0] ?? '') : String(v ?? '')).trim();
/** The values of a field that may come once, several times or not at all (checkboxes). */
export const list = (v: unknown) => ([] as string[]).concat((v as string[] | string | undefined) ?? []);
