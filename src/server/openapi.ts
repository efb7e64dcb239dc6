// The OpenAPI documents of the served kinds, with the API's own schemas and field descriptions
// (openapiDefinitions.ts, generated from kubernetes-types by scripts/gen-openapi.mjs), so that
// `kubectl explain` works and kubectl's client-side validation checks manifests as against a cluster:
//
// - GET /openapi/v2: the swagger 2.0 document. kubectl up to 1.26 (explain, create/apply
//   validation, apply's patch computation) asks for it as protobuf, gnostic's openapi_v2.Document,
//   and cannot read anything else from this path: client-go proto.Unmarshal()s whatever a 200
//   brings. Clients that ask for JSON get JSON.
// - GET /openapi/v3: the index of group versions; GET /openapi/v3/api/v1, /openapi/v3/apis/<g>/<v>:
//   each an OpenAPI 3.0 document whose components hold the kinds of that group version and what
//   they reference (kubectl 1.27+ explain).
//
// Every document is built once, and sent gzipped to a client that accepts it.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { RequestContext } from './context.js';
import { DEFINITIONS_JSON } from './openapiDefinitions.js';
import { KUBERNETES_VERSION } from './version.js';
import { routeNotFound } from './status.js';

type Schema = Record<string, any>;

const TITLE = 'Kubernetes';

let definitionsCache: Record<string, Schema> | undefined;

/** The v2 definitions, by name (io.k8s.api.core.v1.Pod, ...). */
export function openApiDefinitions(): Record<string, Schema> {
  definitionsCache ??= JSON.parse(DEFINITIONS_JSON) as Record<string, Schema>;
  return definitionsCache;
}

export function openApiV2(): object {
  return { swagger: '2.0', info: { title: TITLE, version: KUBERNETES_VERSION }, paths: v2Paths(), definitions: openApiDefinitions() };
}

/**
 * The PATCH operation of each kind's object path, with its GVK and dryRun parameter: kubectl up to
 * 1.25 (apply --dry-run=server, diff) looks for exactly these before it sends a dry run, and
 * refuses with "doesn't support dry-run" when they are missing.
 */
function v2PatchOperations(): { path: string; gvk: { group: string; version: string; kind: string } }[] {
  const out: { path: string; gvk: { group: string; version: string; kind: string } }[] = [];
  for (const [name, s] of Object.entries(openApiDefinitions())) {
    const gvks = s['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
    if (!gvks || name.startsWith('io.k8s.apimachinery.')) continue;
    for (const gvk of gvks) {
      const r = RESOURCES[gvk.kind];
      if (!r || r.verbs) continue;
      const gv = gvk.group ? `/apis/${gvk.group}/${gvk.version}` : `/api/${gvk.version}`;
      out.push({ path: `${gv}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`, gvk });
    }
  }
  return out;
}

const DRY_RUN_PARAMETER = { name: 'dryRun', in: 'query', type: 'string', uniqueItems: true, description: 'When present, indicates that modifications should not be persisted.' };

function v2Paths(): Record<string, object> {
  return Object.fromEntries(
    v2PatchOperations().map(({ path, gvk }) => [path, { patch: { consumes: [...PATCH_TYPES, 'application/apply-patch+yaml'], parameters: [DRY_RUN_PARAMETER], 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': gvk } }]),
  );
}

/** Paths{path: 2 NamedPathItem{name 1, value 2 PathItem{patch 8 Operation{consumes 7, parameters 8, vendor_extension 13}}}}. */
function encodeV2Paths(): Buffer {
  const query = Buffer.concat([field(2, 'query'), field(3, DRY_RUN_PARAMETER.description), field(4, 'dryRun'), field(6, 'string'), boolField(20, true)]);
  const parameter = field(8, field(1, field(2, field(3, query))));
  const items = v2PatchOperations().map(({ path, gvk }) => {
    const consumes = [...PATCH_TYPES, 'application/apply-patch+yaml'].map((t) => field(7, t));
    const ext = (k: string, v: unknown) => field(13, Buffer.concat([field(1, k), field(2, anyOf(v))]));
    const op = Buffer.concat([...consumes, parameter, ext('x-kubernetes-action', 'patch'), ext('x-kubernetes-group-version-kind', gvk)]);
    return field(2, Buffer.concat([field(1, path), field(2, field(8, op))]));
  });
  return Buffer.concat(items);
}

// --- gnostic openapi_v2.Document (github.com/google/gnostic openapiv2/OpenAPIv2.proto) ---

function varint(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    bytes.push(b);
  } while (n);
  return Buffer.from(bytes);
}

/** A length-delimited field (strings, bytes, messages). */
function field(no: number, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((no << 3) | 2), varint(p.length), p]);
}

const boolField = (no: number, v: boolean): Buffer => (v ? Buffer.concat([varint(no << 3), varint(1)]) : Buffer.alloc(0));

/** A value for gnostic's Any: its YAML text (JSON is YAML). */
const anyOf = (v: unknown): Buffer => field(2, JSON.stringify(v));

/** Schema message: $ref 1, format 2, title 3, description 4, required 19, additionalProperties 21, type 22, items 23, allOf 24, properties 25, vendor_extension 31. */
function encodeSchema(s: Schema): Buffer {
  const parts: Buffer[] = [];
  if (typeof s.$ref === 'string') parts.push(field(1, s.$ref));
  if (typeof s.format === 'string') parts.push(field(2, s.format));
  if (typeof s.title === 'string') parts.push(field(3, s.title));
  if (typeof s.description === 'string') parts.push(field(4, s.description));
  if (s.default !== undefined) parts.push(field(5, anyOf(s.default)));
  for (const r of s.required ?? []) parts.push(field(19, r));
  for (const e of s.enum ?? []) parts.push(field(20, anyOf(e)));
  if (s.additionalProperties !== undefined) {
    const ap = s.additionalProperties;
    parts.push(field(21, typeof ap === 'boolean' ? boolField(2, ap) : field(1, encodeSchema(ap))));
  }
  if (typeof s.type === 'string') parts.push(field(22, field(1, s.type)));
  if (s.items) parts.push(field(23, field(1, encodeSchema(s.items))));
  for (const a of s.allOf ?? []) parts.push(field(24, encodeSchema(a)));
  if (s.properties) {
    const named = Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => field(1, Buffer.concat([field(1, k), field(2, encodeSchema(v))])));
    parts.push(field(25, Buffer.concat(named)));
  }
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-')) parts.push(field(31, Buffer.concat([field(1, k), field(2, anyOf(v))])));
  }
  return Buffer.concat(parts);
}

/** Document{swagger: 1, info: 2 {title: 1, version: 2}, paths: 8, definitions: 9}. */
export function openApiV2Protobuf(): Buffer {
  const defs = Object.entries(openApiDefinitions()).map(([name, s]) => field(1, Buffer.concat([field(1, name), field(2, encodeSchema(s))])));
  return Buffer.concat([field(1, '2.0'), field(2, Buffer.concat([field(1, TITLE), field(2, KUBERNETES_VERSION)])), field(8, encodeV2Paths()), field(9, Buffer.concat(defs))]);
}

// --- OpenAPI v3, one document per group version ---

/** The group versions of the kinds in the definitions, as the v3 index names them: api/v1, apis/policy/v1. */
function groupVersions(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, s] of Object.entries(openApiDefinitions())) {
    const gvks = s['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
    if (!gvks || name.startsWith('io.k8s.apimachinery.')) continue;
    for (const g of gvks) {
      const path = g.group ? `apis/${g.group}/${g.version}` : `api/${g.version}`;
      out.set(path, [...(out.get(path) ?? []), name]);
    }
  }
  return out;
}

/** A v2 schema as the API server's v3 documents write it: refs to components, a ref with siblings wrapped in allOf. */
function toV3(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') continue;
    if (k === 'items' || k === 'additionalProperties') out[k] = typeof v === 'object' ? toV3(v) : v;
    else if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, toV3(ps)]));
    else if (k === 'allOf') out[k] = (v as Schema[]).map(toV3);
    else out[k] = v;
  }
  if (typeof s.$ref === 'string') {
    const ref = s.$ref.replace('#/definitions/', '#/components/schemas/');
    if (Object.keys(out).length === 0) return { $ref: ref };
    return { ...out, allOf: [{ $ref: ref }] };
  }
  return out;
}

function refsOf(s: unknown, out: Set<string>): void {
  if (Array.isArray(s)) s.forEach((x) => refsOf(x, out));
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.replace('#/definitions/', ''));
      else refsOf(v, out);
    }
  }
}

/** Resource, scope and verbs of each kind, for the paths of the v3 documents (kubectl explain maps a resource to its kind through them). */
const RESOURCES: Record<string, { resource: string; namespaced: boolean; verbs?: string[] }> = {
  Pod: { resource: 'pods', namespaced: true },
  Service: { resource: 'services', namespaced: true },
  Endpoints: { resource: 'endpoints', namespaced: true },
  ConfigMap: { resource: 'configmaps', namespaced: true },
  Secret: { resource: 'secrets', namespaced: true },
  Event: { resource: 'events', namespaced: true },
  Namespace: { resource: 'namespaces', namespaced: false },
  Node: { resource: 'nodes', namespaced: false },
  EndpointSlice: { resource: 'endpointslices', namespaced: true },
  Lease: { resource: 'leases', namespaced: true },
  PodDisruptionBudget: { resource: 'poddisruptionbudgets', namespaced: true },
  SelfSubjectAccessReview: { resource: 'selfsubjectaccessreviews', namespaced: false, verbs: ['post'] },
  SelfSubjectRulesReview: { resource: 'selfsubjectrulesreviews', namespaced: false, verbs: ['post'] },
};

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/** The paths of a group version's kinds: GET/PUT/PATCH/DELETE of an object, GET/POST of its collection. */
function v3Paths(gvPath: string, kinds: string[]): Record<string, object> {
  const defs = openApiDefinitions();
  const paths: Record<string, Record<string, object>> = {};
  for (const name of kinds) {
    for (const gvk of defs[name]!['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[]) {
      const r = RESOURCES[gvk.kind];
      if (!r) continue;
      const ref = { $ref: `#/components/schemas/${name}` };
      const ok = (code: string) => ({ [code]: { description: 'OK', content: { 'application/json': { schema: ref } } } });
      const op = (action: string, code = '200', body?: string[]) => ({
        ...(body ? { requestBody: { content: Object.fromEntries(body.map((t) => [t, { schema: t === 'application/json' ? ref : { type: 'object' } }])), required: true } } : {}),
        responses: ok(code),
        'x-kubernetes-action': action,
        'x-kubernetes-group-version-kind': gvk,
      });
      const base = `/${gvPath}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
      if (r.verbs) {
        paths[base] = { post: op('post', '201', ['application/json']) };
        continue;
      }
      paths[base] = { get: op('list'), post: op('post', '201', ['application/json']) };
      paths[`${base}/{name}`] = { get: op('get'), put: op('put', '200', ['application/json']), patch: op('patch', '200', PATCH_TYPES), delete: op('delete') };
    }
  }
  return paths;
}

/** The v3 document of one group version: its kinds and every schema they reach. */
function openApiV3Document(gvPath: string, kinds: string[]): object {
  const defs = openApiDefinitions();
  const names = new Set<string>(kinds);
  const queue = [...kinds];
  while (queue.length) {
    const found = new Set<string>();
    refsOf(defs[queue.shift()!], found);
    for (const n of found) if (!names.has(n) && defs[n]) (names.add(n), queue.push(n));
  }
  const schemas = Object.fromEntries([...names].sort().map((n) => [n, toV3(defs[n]!)]));
  return { openapi: '3.0.0', info: { title: TITLE, version: KUBERNETES_VERSION }, paths: v3Paths(gvPath, kinds), components: { schemas } };
}

interface Prepared {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

function prepare(body: Buffer, type: string): Prepared {
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, gzip: gzipSync(body), type, etag: `"${hash}"` };
}

const cache = new Map<string, Prepared>();
function cached(key: string, make: () => Prepared): Prepared {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = make()));
  return p;
}

const v2Json = () => cached('v2', () => prepare(Buffer.from(JSON.stringify(openApiV2())), 'application/json'));
const v2Protobuf = () => cached('v2pb', () => prepare(openApiV2Protobuf(), 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'));
const v3Doc = (path: string) => {
  const kinds = groupVersions().get(path);
  return kinds ? cached(`v3:${path}`, () => prepare(Buffer.from(JSON.stringify(openApiV3Document(path, kinds))), 'application/json')) : undefined;
};

/** The v3 index: each group version's document with the hash that names its content. */
export function openApiV3Index(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const path of [...groupVersions().keys()].sort()) {
    const doc = v3Doc(path)!;
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.etag.slice(1, -1)}` };
  }
  return { paths };
}

function send(ctx: RequestContext, p: Prepared, immutable = false): void {
  const gzip = /\bgzip\b/.test(String(ctx.req.headers['accept-encoding'] ?? ''));
  const headers: Record<string, string | number> = { 'Content-Type': p.type, ETag: p.etag, Vary: 'Accept, Accept-Encoding' };
  headers['Cache-Control'] = immutable ? 'public, immutable' : 'no-cache, private';
  if (ctx.req.headers['if-none-match'] === p.etag) {
    ctx.res.writeHead(304, headers);
    ctx.res.end();
    return;
  }
  const body = gzip ? p.gzip : p.body;
  if (gzip) headers['Content-Encoding'] = 'gzip';
  headers['Content-Length'] = body.length;
  ctx.res.writeHead(200, headers);
  ctx.res.end(body);
}

/** Whether an Accept header asks for the protobuf document before (or without) JSON. */
function wantsProtobuf(accept: string): boolean {
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const pb = types.findIndex((t) => t.includes('protobuf'));
  const json = types.findIndex((t) => t === 'application/json' || t === '*/*' || t === 'application/*');
  return pb !== -1 && (json === -1 || pb < json);
}

/** GET /openapi/v2, /openapi/v3 and /openapi/v3/<group version>; false for any other path. */
export function serveOpenApi(ctx: RequestContext, path: string): boolean {
  if (path === '/openapi/v2') {
    send(ctx, wantsProtobuf(ctx.req.headers.accept ?? '') ? v2Protobuf() : v2Json());
    return true;
  }
  if (path === '/openapi/v3') {
    const body = Buffer.from(JSON.stringify(openApiV3Index()));
    send(ctx, cached('v3index', () => prepare(body, 'application/json')));
    return true;
  }
  if (path.startsWith('/openapi/v3/')) {
    const doc = v3Doc(path.slice('/openapi/v3/'.length));
    if (!doc) throw routeNotFound();
    send(ctx, doc, ctx.query.has('hash'));
    return true;
  }
  return false;
}
