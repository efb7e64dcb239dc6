import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from './status.js';

const MAX_BODY = 3 * 1024 * 1024;
/** Far deeper than any Kubernetes object; deeper input would only exhaust the stack of later steps. */
const MAX_DEPTH = 100;

const tooLarge = () => new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY}`);

/**
 * The request body, at most 3 MiB (the API server's limit) or a 413. An oversized body is still read
 * to its end and dropped, so the client, still sending, gets to read the 413 instead of a reset.
 */
export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRawBody(req)).toString('utf8');
}

/** The body as bytes (protobuf bodies, whose binary Secret data UTF-8 decoding would corrupt), with readBody's limits. */
export function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const fail = (err: ApiError) => {
      if (failed) return;
      failed = true;
      chunks.length = 0;
      reject(err);
    };
    if (Number(req.headers['content-length']) > MAX_BODY) fail(tooLarge());
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY) fail(tooLarge());
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => fail(badRequest(`the request body could not be read: ${err.message}`)));
    req.on('close', () => {
      if (!req.complete) fail(badRequest('the request body was cut short'));
    });
  });
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

/** How deeply `value` nests objects and lists (iteratively: the check itself must not overflow). */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= max) return true;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** The request body as an object: JSON, or YAML for `application/yaml`. Empty means undefined. */
export async function readObject(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = mediaType(req).includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
  if (depthExceeds(value, MAX_DEPTH)) throw badRequest(`the body of the request nests deeper than ${MAX_DEPTH} levels`);
  return value;
}
