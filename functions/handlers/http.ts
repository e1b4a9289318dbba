import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import type { AppRuntime } from '../../shared/app';
import { ConfigError } from '../../shared/config';

export type RuntimeSource = () => Promise<AppRuntime>;
export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export const json = (status: number, jsonBody: unknown, headers?: Record<string, string>): HttpResponseInit => ({ status, jsonBody, ...(headers ? { headers } : {}) });

/** Request bodies are a few fields: anything past this is refused before it is parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The body parsed by `schema`, or the 400 answer: not JSON, or the zod issues (413 past
 * MAX_BODY_BYTES). `schema` may pick the schema from the raw body, so a body of one form gets that
 * form's issues rather than a union's.
 */
export async function readBody<T>(request: HttpRequest, schema: z.ZodType<T> | ((raw: unknown) => z.ZodType<T>)): Promise<{ body: T } | { response: HttpResponseInit }> {
  const tooLarge = { response: json(413, { error: `expected a JSON body of at most ${MAX_BODY_BYTES / 1024} KiB` }) };
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) return tooLarge;
  let raw: unknown;
  try {
    const text = await request.text();
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) return tooLarge;
    raw = JSON.parse(text);
  } catch {
    return { response: json(400, { error: 'expected a JSON body' }) };
  }
  const parsed = (typeof schema === 'function' ? schema(raw) : schema).safeParse(raw);
  return parsed.success ? { body: parsed.data } : { response: json(400, { error: 'invalid request body', issues: parsed.error.issues }) };
}

/**
 * Runs `handle` with this process's runtime. Broken settings answer 500 with their problems
 * (they name settings and fixes, never values) rather than an opaque host error.
 */
export function withRuntime(source: RuntimeSource, handle: (rt: AppRuntime, request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>): HttpHandler {
  return async (request, context) => {
    let rt: AppRuntime;
    try {
      rt = await source();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      context.error(err.message);
      return json(500, { error: 'invalid sqlprobe configuration', problems: err.problems });
    }
    return handle(rt, request, context);
  };
}
