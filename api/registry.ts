// One declaration per route: it mounts the Express handler and describes the route in the
// OpenAPI document, so the two cannot drift apart.
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../domain/roles';
import { actorOf } from '../auth';
import { zodToDomain } from '../problem';

type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteContext<B, Q> {
  actor: Actor;
  params: Record<string, string>;
  body: B;
  query: Q;
  req: Request;
  res: Response;
}

export interface RouteSpec<B = unknown, Q = unknown> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  status?: number;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Public routes skip the bearer check (health, dev token issuer). */
  public?: boolean;
  /** Responds itself (files, redirects) instead of returning JSON. */
  raw?: boolean;
  handler: (ctx: RouteContext<B, Q>) => Promise<unknown>;
}

export class RouteRegistry {
  readonly routes: RouteSpec<any, any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any

  add<B = undefined, Q = Record<string, never>>(spec: RouteSpec<B, Q>): void {
    this.routes.push(spec);
  }

  mount(router: Router, authenticate: (req: Request, res: Response, next: (err?: unknown) => void) => void): void {
    for (const spec of this.routes) {
      const handlers = spec.public ? [] : [authenticate];
      router[spec.method](spec.path, ...handlers, async (req: Request, res: Response) => {
        const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown): T => {
          if (!schema) return value as T;
          const r = schema.safeParse(value ?? {});
          if (!r.success) throw zodToDomain(r.error);
          return r.data;
        };
        const ctx: RouteContext<unknown, unknown> = {
          actor: spec.public ? (req.actor as Actor) : actorOf(req),
          params: req.params as Record<string, string>,
          body: parse(spec.body, req.body),
          query: parse(spec.query, req.query),
          req,
          res,
        };
        const result = await spec.handler(ctx);
        if (!spec.raw) res.status(spec.status ?? 200).json(result);
      });
    }
  }

  /** OpenAPI 3.1 document of every registered route. */
  openapi(info: { title: string; version: string }): object {
    const paths: Record<string, Record<string, object>> = {};
    for (const spec of this.routes) {
      const oaPath = spec.path.replace(/:(\w+)/g, '{$1}');
      const params = [...spec.path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      const queryParams = spec.query ? queryParameters(spec.query) : [];
      const op: Record<string, unknown> = {
        summary: spec.summary,
        tags: [spec.tag],
        parameters: [...params, ...queryParams],
        responses: {
          [String(spec.status ?? 200)]: { description: 'OK' },
          default: { description: 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        },
      };
      if (!spec.public) op.security = [{ bearer: [] }];
      if (spec.body) {
        op.requestBody = {
          required: true,
          content: { 'application/json': { schema: z.toJSONSchema(spec.body, { io: 'input', unrepresentable: 'any' }) } },
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
          Problem: {
            type: 'object',
            properties: {
              type: { type: 'string' },
              title: { type: 'string' },
              status: { type: 'integer' },
              detail: { type: 'string' },
              instance: { type: 'string' },
              field: { type: 'string' },
              state: { type: 'string' },
            },
          },
        },
      },
    };
  }
}

function queryParameters(schema: z.ZodType): object[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object> };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}
