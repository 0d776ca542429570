// Input schemas of the application layer: zod, with every failure turned into the refusal
// `invalid_input` that names the field and the problem. Transports (JSON, forms) hand their
// raw input here; nothing before this point validates.
import { z } from 'zod';
import { isIsoDate, isPeriod } from '../../domain/dates';
import { INPUT_PROBLEMS, refuse, type InputIssue, type InputProblem, type Refusal } from '../../domain/refusals';

const valueAt = (input: unknown, path: readonly PropertyKey[]) =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);

function problemOf(issue: z.core.$ZodIssue, input: unknown): { problem: InputProblem; limit?: number } {
  const value = valueAt(input, issue.path);
  const empty = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  // A schema may name the problem itself (refine and regex messages are problem names).
  if ((INPUT_PROBLEMS as readonly string[]).includes(issue.message))
    return { problem: empty ? 'required' : (issue.message as InputProblem) };
  switch (issue.code) {
    case 'invalid_type': {
      if (empty) return { problem: 'required' };
      const expected = (issue as { expected?: string }).expected;
      if (expected === 'int') return { problem: 'not_whole' };
      if (expected === 'number') return { problem: 'not_a_number' };
      if (expected === 'boolean') return { problem: 'not_a_boolean' };
      if (expected === 'array') return { problem: 'not_a_list' };
      return { problem: 'invalid' };
    }
    case 'too_small': {
      const { origin, minimum } = issue as { origin?: string; minimum?: number | bigint };
      const limit = Number(minimum);
      if (origin === 'string') return limit <= 1 || empty ? { problem: 'required' } : { problem: 'too_short', limit };
      if (origin === 'array') return { problem: 'required' };
      return { problem: 'too_small', limit };
    }
    case 'too_big': {
      const { origin, maximum } = issue as { origin?: string; maximum?: number | bigint };
      return { problem: origin === 'string' ? 'too_long' : 'too_large', limit: Number(maximum) };
    }
    case 'invalid_value':
      return empty ? { problem: 'required' } : { problem: 'invalid_choice' };
    case 'invalid_format':
      return empty ? { problem: 'required' } : { problem: 'invalid_format' };
    default:
      return { problem: 'invalid' };
  }
}

/** The refusal for a failed parse: the first problem names its field (dotted path); the others come along. */
export function inputRefusal(error: z.ZodError, input: unknown): Refusal {
  const issues: InputIssue[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || 'body';
    if (issues.some((i) => i.field === field)) continue;
    issues.push({ field, ...problemOf(issue, input) });
  }
  const [first, ...more] = issues;
  return refuse(
    'invalid_input',
    { problem: first!.problem, ...(first!.limit !== undefined ? { limit: first!.limit } : {}), ...(more.length ? { more } : {}) },
    first!.field,
  );
}

/** Parses input with a schema of the application layer; throws `invalid_input` on the first problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw inputRefusal(r.error, input ?? {});
  return r.data;
}

// ---- building blocks -----------------------------------------------------------------------

/** Required text, trimmed. */
export const text = (max: number) => z.string().trim().min(1).max(max);
/** Optional text: empty means absent. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));
export const isoDate = z.string().trim().refine(isIsoDate, 'not_a_date');
export const period = z.string().trim().refine(isPeriod, 'not_a_period');
export const code = z.string().regex(/^[A-Z0-9-]{2,40}$/, 'not_a_code');
export const cents = z.number().int().min(0).max(100_000_000_000);
export const positiveCents = z.number().int().min(1).max(100_000_000_000);
export const minutes = (max: number) => z.number().int().min(1).max(max);
export const year = z.coerce.number().int().min(2000).max(2100);
export const id = z.string().trim().min(1).max(200);
/** Query flags arrive as text. */
export const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
