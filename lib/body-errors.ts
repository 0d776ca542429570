// What the HTTP body readers (body-parser: json, urlencoded) raise, as refusals: shared by the
// API's problem+json and the pages' error page.
import { refuse, type Refusal } from '../domain/refusals';

export function bodyRefusal(err: unknown): Refusal | null {
  const e = err as { type?: string; limit?: number; charset?: string; encoding?: string };
  if (e?.type === 'entity.parse.failed') return refuse('invalid_json', {}, 'body');
  if (e?.type === 'entity.too.large') return refuse('body_too_large', { limitBytes: e.limit ?? 0 }, 'body');
  if (e?.type === 'parameters.too.many') return refuse('body_too_large', { limitBytes: 0 }, 'body');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return refuse('unsupported_media_type', { mediaType: e.encoding ?? e.charset ?? 'unknown' }, 'body');
  return null;
}
