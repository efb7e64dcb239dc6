// `tinylet apply -f`: create what does not exist; otherwise a three-way merge patch computed from the
// last-applied-configuration annotation (as kubectl's client-side apply), so fields set by others
// stay and fields removed from the file are removed. Lists are replaced whole; the server re-applies
// its defaults, so an unchanged container list stays unchanged. Every served kind (Pods, Services,
// ConfigMaps, Secrets, Endpoints, EndpointSlices) goes to its own API path, as a JSON merge patch.
import { ApiStatusError } from './client/apiClient.js';
import { connect, type ConnectionOptions } from './client/connect.js';
import { formatCliError } from './client/errors.js';
import { objectRef, resourceForKind, resourcePath } from './client/resources.js';
import { asStored } from './asStored.js';
import { toJsonErrors, type JsonError } from './jsonErrors.js';
import { readObjects } from './manifests.js';
import { checkFormat, printResults } from './output.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyOptions extends ConnectionOptions {
  filename: string[];
  lenient?: boolean;
  asPod?: boolean;
  /** json, yaml or name: print the resulting objects instead of `pod/x created` lines. */
  output?: string;
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `live` holds everything `want` says (live may carry more: server defaults). */
function subsetEqual(want: unknown, live: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(live) && want.length === live.length && want.every((w, i) => subsetEqual(w, live[i]));
  if (isObj(want)) return isObj(live) && Object.entries(want).every(([k, v]) => subsetEqual(v, live[k]));
  return want === live;
}

/** A JSON merge patch taking `live` to `modified`, deleting only what `original` (last applied) had set. */
export function threeWayMergePatch(original: unknown, modified: unknown, live: unknown): Obj {
  const patch: Obj = {};
  const o = isObj(original) ? original : {};
  const m = isObj(modified) ? modified : {};
  const l = isObj(live) ? live : {};
  for (const k of Object.keys(o)) if (!(k in m) && k in l) patch[k] = null;
  for (const [k, v] of Object.entries(m)) {
    if (isObj(v) && isObj(l[k])) {
      const sub = threeWayMergePatch(o[k], v, l[k]);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (!subsetEqual(v, l[k])) {
      patch[k] = v;
    }
  }
  return patch;
}

function withLastApplied(object: Obj): Obj {
  const { status: _s, ...rest } = object;
  const meta = { ...(rest.metadata ?? {}) };
  const annotations = { ...(meta.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const applied = { ...rest, metadata: { ...meta, annotations: Object.keys(annotations).length ? annotations : undefined } };
  if (!applied.metadata.annotations) delete applied.metadata.annotations;
  return { ...rest, metadata: { ...meta, annotations: { ...annotations, [LAST_APPLIED]: `${JSON.stringify(applied)}\n` } } };
}

export async function applyCommand(opts: ApplyOptions): Promise<number> {
  checkFormat(opts.output, ['json', 'yaml', 'name']);
  const { objects, warnings, notes } = await readObjects(opts.filename, { verb: 'apply', lenient: opts.lenient, asPod: opts.asPod });
  for (const w of warnings) console.error(w);
  for (const n of notes) console.error(`note: ${n}`);
  const { client, namespace } = connect(opts);
  const results: object[] = [];
  const errors: JsonError[] = [];
  const done = (object: object, line: string) => (opts.output ? results.push(object) : console.log(line));
  for (const { object, source } of objects) {
    const ns = object.metadata?.namespace ?? namespace;
    const name = object.metadata?.name;
    try {
      const resource = resourceForKind(object.kind);
      if (!resource) throw new Error(`${source}: kind ${JSON.stringify(object.kind)} is not served`);
      if (!name) throw new Error(`error when retrieving current configuration of "${source}": resource name may not be empty`);
      const query = { lenient: opts.lenient && resource === 'pods' ? 'true' : undefined };
      const modified = withLastApplied(object);
      let live: Obj | undefined;
      try {
        live = await client.get(resourcePath(resource, ns, name));
      } catch (err) {
        if (!(err instanceof ApiStatusError && err.status.code === 404)) throw err;
      }
      if (!live) {
        done(await client.call('POST', resourcePath(resource, ns), { body: modified, query }), `${objectRef(resource, name)} created`);
        continue;
      }
      const lastText = live.metadata?.annotations?.[LAST_APPLIED];
      const original = lastText ? JSON.parse(lastText) : {};
      const patch = threeWayMergePatch(asStored(original), asStored(modified), live);
      if (Object.keys(patch).length === 0) {
        done(live, `${objectRef(resource, name)} unchanged`);
        continue;
      }
      done(await client.call('PATCH', resourcePath(resource, ns, name), { body: patch, contentType: 'application/merge-patch+json', query }), `${objectRef(resource, name)} configured`);
    } catch (err) {
      errors.push(...toJsonErrors(err).map((e) => ({ source, ...e })));
      if (err instanceof ApiStatusError && err.status.reason !== 'Invalid') console.error(`Error from server (${err.status.reason}): error when applying "${source}": ${err.status.message}`);
      else console.error(formatCliError(err));
    }
  }
  printResults(results, errors, opts.output, objects.length === 1);
  return errors.length ? 1 : 0;
}
