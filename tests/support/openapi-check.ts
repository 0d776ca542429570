// Every answer an integration test receives is checked against the OpenAPI document, with Ajv
// (JSON Schema 2020-12, as OpenAPI 3.1 uses): its status must be documented for the operation,
// and a JSON body must match the documented schema. A drift fails the test that saw it.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

export function openapiChecker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: doc.components } as object, 'doc');
  const compiled = new Map<object, ValidateFunction>();
  const routes = Object.entries(doc.paths).map(([path, ops]) => ({
    re: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`),
    ops,
  }));
  const validatorOf = (schema: object) => {
    let v = compiled.get(schema);
    if (!v) {
      // References point at the document's components.
      v = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')));
      compiled.set(schema, v);
    }
    return v;
  };

  /** Null when the answer matches the document, else what is wrong. */
  return function check(method: string, url: string, status: number, contentType: string | null, body: unknown): string | null {
    const path = new URL(url, 'http://x').pathname;
    const route = routes.find((r) => r.re.test(path) && r.ops[method.toLowerCase()]);
    if (!route) return status === 404 ? null : `${method} ${path}: not in the OpenAPI document`;
    const op = route.ops[method.toLowerCase()]!;
    const documented = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
    if (!documented) return `${method} ${path}: status ${status} is not documented`;
    if (!contentType || !/json/.test(contentType) || !documented.content) return null;
    const media = documented.content[contentType.split(';')[0]!.trim()] ?? Object.values(documented.content)[0];
    if (!media?.schema) return null;
    const validate = validatorOf(media.schema);
    if (validate(body)) return null;
    return `${method} ${path} ${status}: the body does not match the document: ${ajv.errorsText(validate.errors, { separator: '; ' })}`;
  };
}
