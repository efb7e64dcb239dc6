// The API server's generic registry (k8s.io/apiserver registry/generic/registry.Store) for every
// kind kept in the object store: list, watch, get, create, update, patch, delete, deletecollection
// and the status subresource, with names, uids, resourceVersions, conflicts, selectors, dry runs and
// tables done once. What a kind adds is its Strategy (strategy.ts).
import { randomUUID } from 'node:crypto';
import { generateName } from '../../api/defaults.js';
import type { FieldGetter } from '../../api/selectors/fields.js';
import { rfc3339 } from '../../api/time.js';
import type { ApiObject } from '../../store/objectStore.js';
import { mediaType, readObject } from '../body.js';
import type { RequestContext, ResourcePath } from '../context.js';
import { listOptions } from '../listOptions.js';
import { jsonMergePatch } from '../patch/jsonMerge.js';
import { jsonPatch } from '../patch/jsonPatch.js';
import { PatchError, strategicMergePatch } from '../patch/strategicMerge.js';
import { asTable, sendJson, wantsTable } from '../respond.js';
import { selectorFromQuery } from '../selectors.js';
import { alreadyExists, badRequest, conflict, internalError, invalid, methodNotAllowed, notFound, routeNotFound, serviceUnavailable, unsupportedMediaType } from '../status.js';
import { serveWatch } from '../watch.js';
import { objectTable } from './objectTable.js';
import { decodeProtobufObject, PROTOBUF, readRawBody } from './protobuf.js';
import type { Strategy, StrategyContext } from './strategy.js';

const SYSTEM_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'managedFields', 'selfLink'];

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

const metaFields: FieldGetter<ApiObject> = {
  fields: ['metadata.name', 'metadata.namespace'],
  get: (o, field) => (field === 'metadata.name' ? (o.metadata?.name ?? '') : field === 'metadata.namespace' ? (o.metadata?.namespace ?? '') : ''),
};

function fieldGetterOf(s: Strategy): FieldGetter<ApiObject> {
  const own = s.fieldGetter;
  if (!own) return metaFields;
  return { fields: [...metaFields.fields, ...own.fields], get: (o, f) => (metaFields.fields.includes(f) ? metaFields.get(o, f) : own.get(o, f)) };
}

/** Without volatile metadata: two states that differ only in these are the same object (a no-op update). */
function comparable(o: ApiObject): string {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata ?? {};
  return JSON.stringify({ ...o, metadata: meta });
}

export class GenericRegistry {
  constructor(readonly strategy: Strategy) {}

  private get gv(): string {
    return this.strategy.group ? `${this.strategy.group}/${this.strategy.version}` : this.strategy.version;
  }

  /** kind and apiVersion first, as the API server serialises objects. */
  typed = (o: ApiObject): ApiObject => {
    const { kind: _k, apiVersion: _a, ...rest } = o;
    return { kind: this.strategy.kind, apiVersion: this.gv, ...rest };
  };

  private sctx(ctx: RequestContext): StrategyContext {
    return { config: ctx.services.config, store: ctx.services.objects };
  }

  serve(ctx: RequestContext, p: ResourcePath): void | Promise<void> {
    const s = this.strategy;
    const { namespace: ns, name, subresource } = p;
    if (s.namespaced === false && ns !== undefined) throw routeNotFound();
    const pick = (handlers: Partial<Record<string, () => void | Promise<void>>>) => {
      const h = handlers[ctx.method];
      if (!h) throw methodNotAllowed();
      return h();
    };
    const writable = (f: () => void | Promise<void>) => (s.readOnly ? () => Promise.reject(methodNotAllowed()) : f);
    if (!name) {
      const scoped = !s.namespaced || ns !== undefined;
      return pick({
        GET: () => this.list(ctx, ns),
        POST: writable(() => (scoped ? this.create(ctx, ns) : Promise.reject(methodNotAllowed()))),
        DELETE: writable(() => (scoped ? this.deleteCollection(ctx, ns) : Promise.reject(methodNotAllowed()))),
      });
    }
    if (s.namespaced && ns === undefined) throw routeNotFound();
    if (subresource === undefined) {
      return pick({
        GET: () => this.get(ctx, ns, name),
        PUT: writable(() => this.update(ctx, ns, name, 'object')),
        PATCH: writable(() => this.update(ctx, ns, name, 'object')),
        DELETE: writable(() => this.delete(ctx, ns, name)),
      });
    }
    if (subresource === 'status' && s.hasStatus) {
      return pick({ GET: () => this.get(ctx, ns, name), PUT: writable(() => this.update(ctx, ns, name, 'status')), PATCH: writable(() => this.update(ctx, ns, name, 'status')) });
    }
    throw routeNotFound();
  }

  private find(ctx: RequestContext, ns: string | undefined, name: string): ApiObject {
    const o = ctx.services.objects.get(this.strategy.resource, ns, name);
    if (!o) throw notFound(this.strategy.resource, name);
    return o;
  }

  private items(ctx: RequestContext, ns: string | undefined): ApiObject[] {
    return ctx.services.objects.list(this.strategy.resource, ns);
  }

  private send(ctx: RequestContext, code: number, objects: ApiObject[], single: boolean, rv?: string): void {
    const typed = objects.map(this.typed);
    if (wantsTable(ctx.req)) return sendJson(ctx.res, code, this.table(ctx, typed, rv ?? typed[0]?.metadata?.resourceVersion));
    if (single) return sendJson(ctx.res, code, typed[0]);
    sendJson(ctx.res, code, { kind: `${this.strategy.kind}List`, apiVersion: this.gv, metadata: { resourceVersion: rv }, items: typed });
  }

  private table(ctx: RequestContext, objects: ApiObject[], rv: string | undefined): object {
    const kind = this.strategy.tableKind;
    return kind ? asTable(ctx, kind, objects, rv) : objectTable(ctx, objects, rv);
  }

  list(ctx: RequestContext, ns: string | undefined): void {
    const opts = listOptions(ctx);
    const matches = selectorFromQuery(ctx, fieldGetterOf(this.strategy));
    if (opts.watch) {
      serveWatch(ctx, { hub: ctx.services.objects.hub(this.strategy.resource), table: (objs) => this.table(ctx, objs, undefined), current: () => this.items(ctx, ns), matches: (o) => (ns === undefined || o.metadata?.namespace === ns) && matches(o), typed: this.typed }, opts);
      return;
    }
    this.send(ctx, 200, this.items(ctx, ns).filter(matches), false, ctx.services.kubelet.resourceVersion);
  }

  get(ctx: RequestContext, ns: string | undefined, name: string): void {
    this.send(ctx, 200, [this.find(ctx, ns, name)], true);
  }

  /** The object a client sent, ready for the strategy: kind checked, namespace from the URL, system fields dropped. */
  private forCreate(body: unknown, ns: string | undefined): ApiObject {
    const s = this.strategy;
    if (!isObject(body)) throw badRequest(`the body of the request must be a ${s.kind} object`);
    if (body.kind !== undefined && body.kind !== s.kind) throw badRequest(`the kind of the object in the body (${JSON.stringify(body.kind)}) is not ${s.kind}`);
    const meta: Record<string, unknown> = isObject(body.metadata) ? { ...body.metadata } : {};
    if (s.namespaced && meta.namespace && meta.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    for (const f of SYSTEM_FIELDS) delete meta[f];
    if (s.namespaced) meta.namespace = ns;
    else delete meta.namespace;
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) meta.name = generateName(meta.generateName);
    const { status: _status, ...rest } = body;
    return { ...rest, apiVersion: this.gv, kind: s.kind, metadata: meta } as ApiObject;
  }

  private store(ctx: { store: StrategyContext['store'] } | RequestContext, obj: ApiObject, undo: () => void): ApiObject {
    const store = 'store' in ctx ? ctx.store : ctx.services.objects;
    try {
      return store.put(this.strategy.resource, obj);
    } catch (err) {
      undo();
      const e = err as NodeJS.ErrnoException | undefined;
      if (e?.code === 'ESHUTDOWN') throw serviceUnavailable('the agent is shutting down: the change was not recorded');
      throw internalError(`the ${this.strategy.kind} could not be stored: ${e?.message ?? String(err)}`);
    }
  }

  /** JSON or YAML, or the protobuf client-go's typed clients send (kubectl 1.32's create configmap). */
  private async readBody(ctx: RequestContext): Promise<unknown> {
    if (mediaType(ctx.req) !== PROTOBUF) return readObject(ctx.req);
    const s = this.strategy;
    return decodeProtobufObject(await readRawBody(ctx.req), s.group, s.version, s.kind);
  }

  async create(ctx: RequestContext, ns: string | undefined): Promise<void> {
    const obj = this.forCreate(await this.readBody(ctx), ns);
    this.send(ctx, 201, [this.createObject(obj, this.sctx(ctx), ctx.query.get('dryRun') === 'All')], true);
  }

  /**
   * A create without HTTP (`tinylet run` creating the Services and ConfigMaps of its file):
   * defaulting, validation, allocation and the durable write. Throws the API error.
   */
  createObject(input: ApiObject, sctx: StrategyContext, dryRun = false): ApiObject {
    const s = this.strategy;
    let obj = s.prepareForCreate ? s.prepareForCreate(input, sctx) : input;
    const name = obj.metadata?.name ?? '';
    const errors = s.validate(obj, sctx);
    if (errors.length > 0) throw invalid(s.kind, name, errors);
    if (sctx.store.get(s.resource, obj.metadata?.namespace, name)) throw alreadyExists(s.resource, name);
    obj = { ...obj, metadata: { ...obj.metadata, uid: randomUUID(), creationTimestamp: rfc3339(new Date()) } };
    if (dryRun) return obj;
    if (s.allocate) obj = s.allocate(obj, sctx);
    const allocated = obj;
    return this.store(sctx, obj, () => s.release?.(allocated, undefined, sctx));
  }

  /** The object of a manifest as a create would take it (namespace given, system fields dropped). */
  fromManifest(body: unknown, ns: string): ApiObject {
    return this.forCreate(body, this.strategy.namespaced ? ns : undefined);
  }

  private patched(ctx: RequestContext, old: ApiObject, patch: unknown): unknown {
    const type = mediaType(ctx.req);
    const base = structuredClone(this.typed(old));
    try {
      if (type === 'application/merge-patch+json') return jsonMergePatch(base, patch);
      if (type === 'application/strategic-merge-patch+json') {
        // A kind without strategic lists merges maps and replaces lists: a JSON merge patch.
        return this.strategy.mergeKeys ? strategicMergePatch(base, patch, '', this.strategy.mergeKeys) : strategicMergePatch(base, patch, '', () => undefined);
      }
      if (type === 'application/json-patch+json') return jsonPatch(base, patch);
    } catch (err) {
      if (err instanceof PatchError) throw badRequest(err.message);
      throw err;
    }
    throw unsupportedMediaType();
  }

  async update(ctx: RequestContext, ns: string | undefined, name: string, part: 'object' | 'status'): Promise<void> {
    const s = this.strategy;
    const sctx = this.sctx(ctx);
    const body = ctx.method === 'PUT' ? await this.readBody(ctx) : await readObject(ctx.req);
    const old = this.find(ctx, ns, name);
    const next = ctx.method === 'PATCH' ? this.patched(ctx, old, body) : body;
    if (!isObject(next)) throw badRequest(`the body of the request must be a ${s.kind} object`);
    const meta: Record<string, any> = isObject(next.metadata) ? next.metadata : {};
    if (next.kind !== undefined && next.kind !== s.kind) throw badRequest(`the kind of the object in the body (${JSON.stringify(next.kind)}) is not ${s.kind}`);
    if (meta.name && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    if (s.namespaced && meta.namespace && meta.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (meta.resourceVersion && meta.resourceVersion !== old.metadata?.resourceVersion) throw conflict(s.resource, name);
    if (meta.uid && meta.uid !== old.metadata?.uid) throw conflict(s.resource, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata?.uid}`);
    const om = old.metadata!;
    let obj: ApiObject = {
      ...(next as ApiObject),
      apiVersion: this.gv,
      kind: s.kind,
      metadata: { ...meta, name: om.name, namespace: om.namespace, uid: om.uid, creationTimestamp: om.creationTimestamp, resourceVersion: om.resourceVersion },
    };
    if (s.hasStatus) {
      // The main resource cannot change status, the status subresource nothing but status.
      obj = part === 'status' ? { ...old, status: obj.status } : { ...obj, status: old.status };
    }
    if (part === 'object' && s.prepareForUpdate) obj = s.prepareForUpdate(obj, old, sctx);
    const errors = [...s.validate(obj, sctx), ...(s.validateUpdate?.(obj, old, sctx) ?? [])];
    if (errors.length > 0) throw invalid(s.kind, name, errors);
    const dryRun = ctx.query.get('dryRun') === 'All';
    // A no-op (kubectl apply of an unchanged file): no new resourceVersion, nothing announced.
    if (comparable(obj) === comparable(old)) return this.send(ctx, 200, [old], true);
    if (dryRun) return this.send(ctx, 200, [obj], true);
    if (s.allocateUpdate) obj = s.allocateUpdate(obj, old, sctx);
    const stored = this.store(ctx, obj, () => s.release?.(obj, old, sctx));
    s.release?.(old, stored, sctx);
    this.send(ctx, 200, [stored], true);
  }

  private async deleteOptions(ctx: RequestContext): Promise<{ preconditions?: { uid?: string; resourceVersion?: string }; dryRun: boolean }> {
    const body = await readObject(ctx.req);
    const opts: Record<string, any> = isObject(body) ? body : {};
    if (opts.preconditions !== undefined && opts.preconditions !== null && !isObject(opts.preconditions)) throw badRequest('preconditions: must be an object');
    const dry = opts.dryRun;
    if (dry !== undefined && dry !== null && !(Array.isArray(dry) && dry.every((d) => typeof d === 'string'))) throw badRequest('dryRun: must be a list of strings');
    return { preconditions: opts.preconditions ?? undefined, dryRun: (Array.isArray(dry) && dry.includes('All')) || ctx.query.get('dryRun') === 'All' };
  }

  private deleteOne(ctx: RequestContext, obj: ApiObject, opts: Awaited<ReturnType<GenericRegistry['deleteOptions']>>): ApiObject {
    const meta = obj.metadata!;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== meta.uid) throw conflict(this.strategy.resource, meta.name!, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(this.strategy.resource, meta.name!, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
    }
    if (opts.dryRun) return obj;
    let gone: ApiObject | undefined;
    try {
      gone = ctx.services.objects.remove(this.strategy.resource, meta.namespace, meta.name!);
    } catch (err) {
      const e = err as NodeJS.ErrnoException | undefined;
      if (e?.code === 'ESHUTDOWN') throw serviceUnavailable('the agent is shutting down: the change was not recorded');
      throw internalError(`the ${this.strategy.kind} could not be removed: ${e?.message ?? String(err)}`);
    }
    if (gone) this.strategy.release?.(gone, undefined, this.sctx(ctx));
    return gone ?? obj;
  }

  async delete(ctx: RequestContext, ns: string | undefined, name: string): Promise<void> {
    const opts = await this.deleteOptions(ctx);
    const obj = this.find(ctx, ns, name);
    this.send(ctx, 200, [this.deleteOne(ctx, obj, opts)], true);
  }

  async deleteCollection(ctx: RequestContext, ns: string | undefined): Promise<void> {
    const opts = await this.deleteOptions(ctx);
    listOptions(ctx);
    const matches = selectorFromQuery(ctx, fieldGetterOf(this.strategy));
    const deleted = this.items(ctx, ns).filter(matches).map((o) => this.deleteOne(ctx, o, opts));
    this.send(ctx, 200, deleted, false, ctx.services.kubelet.resourceVersion);
  }
}

