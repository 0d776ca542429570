// One declaration per route: it mounts the Express handler and describes the route in the
// OpenAPI document, so the two cannot drift apart. Routes only translate: they hand the raw
// body and query to the application layer, which validates them with the schemas declared
// here for the document.
import crypto from 'node:crypto';
import type { Request, RequestHandler, Response, Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { refuse } from '../domain/refusals';
import type { Actor } from '../domain/roles';
import type { IdempotencyStore } from '../app/core/idempotency';
import { withIdempotencyKey } from '../app/core/request-context';
import { actorOf } from './auth';
import { asRefusal, problemBody } from './problem';
import { retryTransient } from '../lib/transient';
import { problem as problemSchema } from './responses';

type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteContext {
  actor: Actor;
  params: Record<string, string>;
  /** The JSON body as sent; the application layer parses it. */
  body: unknown;
  /** The query as sent (text values); the application layer parses it. */
  query: Record<string, unknown>;
  /** The file of a multipart upload route (field "file"), read into memory; null when none was sent. */
  file: { name: string; bytes: Uint8Array } | null;
  req: Request;
  res: Response;
}

export interface RouteSpec {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  status?: number;
  /** The body's schema, for the OpenAPI document. */
  body?: z.ZodType;
  /** The query's schema, for the OpenAPI document. */
  query?: z.ZodType;
  /** The answer's schema (JSON routes), for the OpenAPI document. */
  response?: z.ZodType;
  /** Public routes skip the bearer check (health, dev token issuer). */
  public?: boolean;
  /** Responds itself (files, redirects) instead of returning JSON. */
  raw?: boolean;
  /** Media type of a raw answer, for the document. */
  produces?: string;
  /** A multipart/form-data upload: one file in the field "file" of at most maxBytes, next to the body's text fields. */
  upload?: { maxBytes: number };
  /**
   * The write is one Temporal call (an Update or a start with a fixed id) after reads: safe to
   * run again when the database was briefly away. GETs always are.
   */
  viaWorkflow?: boolean;
  handler: (ctx: RouteContext) => Promise<unknown>;
}

export class RouteRegistry {
  readonly routes: RouteSpec[] = [];

  add(spec: RouteSpec): void {
    this.routes.push(spec);
  }

  mount(
    router: Router,
    authenticate: (req: Request, res: Response, next: (err?: unknown) => void) => void,
    idempotency?: IdempotencyStore,
  ): void {
    for (const spec of this.routes) {
      const handlers: RequestHandler[] = spec.public ? [] : [authenticate];
      // Only an authenticated caller makes the server buffer an upload.
      if (spec.upload) handlers.push(uploadOf(spec.upload.maxBytes));
      router[spec.method](spec.path, ...handlers, async (req: Request, res: Response) => {
        const uploaded = (req as Request & { file?: Express.Multer.File }).file;
        const file = uploaded ? { name: uploaded.originalname, bytes: uploaded.buffer } : null;
        const ctx: RouteContext = {
          actor: spec.public ? (req.actor as Actor) : actorOf(req),
          params: req.params as Record<string, string>,
          body: req.body ?? {},
          query: req.query as Record<string, unknown>,
          file,
          req,
          res,
        };
        const key = req.get('idempotency-key');
        const run = spec.method === 'get' || spec.viaWorkflow ? () => retryTransient(() => spec.handler(ctx)) : () => spec.handler(ctx);
        if (spec.method !== 'post' || spec.raw || spec.public || !key || !idempotency) {
          const result = await run();
          if (!spec.raw) res.status(spec.status ?? 200).json(result);
          return;
        }
        // An Idempotency-Key: a repeat gets the first answer, and nothing is done twice.
        const claim = await retryTransient(() =>
          idempotency.claim(
            ctx.actor,
            key,
            // An upload's fingerprint holds its file's digest: the same key with another file is another request.
            { method: req.method, path: req.path, body: file ? { ...(req.body ?? {}), file: sha256(file.bytes) } : (req.body ?? null) },
            Boolean(spec.viaWorkflow),
          ),
        );
        if (claim.kind === 'replay') {
          res.set('idempotent-replayed', 'true');
          if (claim.status >= 400) res.type('application/problem+json');
          res.status(claim.status).json(claim.body);
          return;
        }
        let result: unknown;
        try {
          result = await withIdempotencyKey(claim.scope, run);
        } catch (err) {
          const refusal = asRefusal(err);
          // A refusal is an answer too; a fault of ours leaves the key free for a retry.
          // Keeping the answer is a write that may be repeated: it rides out a database restart.
          if (refusal) await retryTransient(() => idempotency.answered(claim.id, refusal.status, problemBody(refusal, req.originalUrl)));
          else await retryTransient(() => idempotency.release(claim.id)).catch(() => undefined);
          throw err;
        }
        await retryTransient(() => idempotency.answered(claim.id, spec.status ?? 200, result));
        res.status(spec.status ?? 200).json(result);
      });
    }
  }

  /** OpenAPI 3.1 document of every registered route. */
  openapi(info: { title: string; version: string }): object {
    const paths: Record<string, Record<string, object>> = {};
    const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
    const problemOf500 = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ServerProblem' } } };
    for (const spec of this.routes) {
      const oaPath = spec.path.replace(/:(\w+)/g, '{$1}');
      const params = [...spec.path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      const queryParams = spec.query ? queryParameters(spec.query) : [];
      const idempotencyHeader =
        spec.method === 'post' && !spec.public && !spec.raw
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description:
                  'A repeat with the same key and body gets the first answer and changes nothing (24 hours); another body with the key: 422',
                schema: { type: 'string', maxLength: 200 },
              },
            ]
          : [];
      const op: Record<string, unknown> = {
        summary: spec.summary,
        tags: [spec.tag],
        parameters: [...params, ...queryParams, ...idempotencyHeader],
        responses: {
          [String(spec.status ?? 200)]: {
            description: 'OK',
            ...(spec.response
              ? { content: { [spec.produces ?? 'application/json']: { schema: jsonSchema(spec.response, 'output') } } }
              : spec.raw && spec.produces
                ? { content: { [spec.produces]: { schema: { type: 'string' } } } }
                : {}),
          },
          '4XX': { description: 'Refused: the problem names a stable code, its parameters and the field', content: problem },
          '5XX': { description: 'A fault of ours (logged), or a dependency that is down', content: problemOf500 },
        },
      };
      if (!spec.public) op.security = [{ bearer: [] }];
      if (spec.upload) {
        const fields = (spec.body ? jsonSchema(spec.body, 'input') : {}) as { properties?: Record<string, object> };
        op.requestBody = {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file'],
                properties: {
                  file: { type: 'string', format: 'binary', description: `at most ${spec.upload.maxBytes} bytes` },
                  ...fields.properties,
                },
              },
            },
          },
        };
      } else if (spec.body) {
        op.requestBody = {
          required: true,
          content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
        };
      }
      (paths[oaPath] ??= {})[spec.method] = op;
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: {
          Problem: jsonSchema(problemSchema, 'output'),
          ServerProblem: {
            type: 'object',
            required: ['type', 'title', 'status', 'detail'],
            properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
          },
        },
      },
    };
  }
}

const sha256 = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

/** One file in the field "file", in memory, refused when larger than maxBytes (multer reads the rest of the body away first). */
function uploadOf(maxBytes: number): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 10 * 1024, parts: 12 },
  }).single('file');
  return (req, res, next) => {
    // Any other body brings no file: the feature refuses that after its access check (attachment_missing).
    if (!req.is('multipart/form-data')) return next();
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE')
        return next(refuse('attachment_too_large', { maxBytes }, 'file'));
      next(refuse('invalid_input', { problem: 'invalid' }, err instanceof multer.MulterError && err.field ? err.field : 'file'));
    });
  };
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, without the $schema key. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): object {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: z.ZodType): object[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object> };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}
