// The API server's generic registry (k8s.io/apiserver registry/generic/registry.Store) for every
// kind kept in the object store: list, watch, get, create, update, patch, delete, deletecollection
// and the status subresource, with names, uids, resourceVersions, conflicts, selectors, dry runs and
// tables done once. What a kind adds is its Strategy (strategy.ts); where its objects live is a
// storage backend (storage.ts): the object store, unless the strategy brings its own (pods, in the
// kubelet: kinds/pods.ts).
import { randomUUID } from 'node:crypto';
import { generateName } from '../../api/defaults.js';
import type { FieldGetter } from '../../api/selectors/fields.js';
import { rfc3339 } from '../../api/time.js';
import type { ApiObject } from '../../store/objectStore.js';
import { mediaType, readObject, readRawBody } from '../body.js';
import type { RequestContext, ResourcePath } from '../context.js';
import { listOptions } from '../listOptions.js';
import { jsonMergePatch } from '../patch/jsonMerge.js';
import { jsonPatch } from '../patch/jsonPatch.js';
import { PatchError, strategicMergePatch } from '../patch/strategicMerge.js';
import { int64Param } from '../queryParams.js';
import { asTable, sendJson, wantsTable, warningHeaders } from '../respond.js';
import { selectorFromQuery } from '../selectors.js';
import { alreadyExists, badRequest, conflict, invalid, methodNotAllowed, notFound, routeNotFound, unsupportedMediaType } from '../status.js';
import { serveWatch } from '../watch.js';
import { objectTable } from './objectTable.js';
import { decodeProtobufObject, PROTOBUF } from './protobuf.js';
import { type DeleteOptions, type ObjectStorage, objectStoreStorage, type UpdatePart } from './storage.js';
import { admitCreate, admitDelete } from './namespaceLifecycle.js';
import type { Strategy, StrategyContext } from './strategy.js';
import { applyConfig, createdManaged } from '../apply/apply.js';
import { decodeManaged, encodeManaged, type Manager, managerOf, updateManaged } from '../apply/managedFields.js';
import { dryRunErrors, optionsInvalid, type WriteOptions, writeOptions } from '../apply/options.js';
import { scopeOf, zeroObject } from '../apply/scope.js';
import { KeyError } from '../apply/walk.js';

const APPLY_PATCH = 'application/apply-patch+yaml';

/** How an update's managedFields come about: an Update by a manager, or already computed by an apply. */
type Managing = { update: string } | { applied: true };

const SYSTEM_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'managedFields', 'selfLink'];

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

const metaFields: FieldGetter<ApiObject> = {
  fields: ['metadata.name', 'metadata.namespace'],
  get: (o, field) => (field === 'metadata.name' ? (o.metadata?.name ?? '') : field === 'metadata.namespace' ? (o.metadata?.namespace ?? '') : ''),
};

function fieldGetterOf(s: Strategy): FieldGetter<ApiObject> {
  const own = s.fieldGetter;
  if (!own) return metaFields;
  return {
    fields: [...new Set([...metaFields.fields, ...own.fields])],
    ...(own.aliases ? { aliases: own.aliases } : {}),
    get: (o, f) => (metaFields.fields.includes(f) ? metaFields.get(o, f) : own.get(o, f)),
  };
}

/** JSON with every object's keys sorted: equal for equal objects whatever order their keys were set in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (isObject(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

/** Without volatile metadata: two states that differ only in these are the same object (a no-op update). */
function comparable(o: ApiObject): string {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata ?? {};
  return canonical({ ...o, metadata: meta });
}

/** The object with these managedFields (none: the field goes). */
function withManaged(o: ApiObject, managers: readonly Manager[]): ApiObject {
  const entries = encodeManaged(managers);
  const { managedFields: _m, ...meta } = o.metadata ?? {};
  return { ...o, metadata: entries.length > 0 ? { ...meta, managedFields: entries } : meta } as ApiObject;
}

const sameManaged = (a: ApiObject, b: ApiObject): boolean => canonical(a.metadata?.managedFields ?? []) === canonical(b.metadata?.managedFields ?? []);

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
    return { config: ctx.services.config, store: ctx.services.objects, services: ctx.services, query: ctx.query, warn: (w) => warningHeaders(ctx.res, w) };
  }

  /** Where the kind's objects live: the strategy's backend, or the object store. */
  storage(sctx: StrategyContext): ObjectStorage {
    const s = this.strategy;
    return s.storage ? s.storage(sctx) : objectStoreStorage(sctx.store, s.resource, s.kind, () => sctx.services?.kubelet.resourceVersion);
  }

  private storageOf(ctx: RequestContext): ObjectStorage {
    return this.storage(this.sctx(ctx));
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
    if (subresource === 'ephemeralcontainers' && s.ephemeralContainers) {
      const update = writable(() => this.update(ctx, ns, name, 'ephemeralcontainers'));
      return pick({ GET: () => this.get(ctx, ns, name), PUT: update, PATCH: update });
    }
    throw routeNotFound();
  }

  private find(storage: ObjectStorage, ns: string | undefined, name: string): ApiObject {
    const o = storage.get(ns, name);
    if (!o) throw notFound(this.strategy.resource, name);
    return o;
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
    const storage = this.storageOf(ctx);
    if (opts.watch) {
      serveWatch(ctx, { hub: storage.hub, table: (objs) => this.table(ctx, objs, undefined), current: () => storage.list(ns), matches: (o) => (ns === undefined || o.metadata?.namespace === ns) && matches(o), typed: this.typed }, opts);
      return;
    }
    this.send(ctx, 200, storage.list(ns).filter(matches), false, storage.resourceVersion);
  }

  get(ctx: RequestContext, ns: string | undefined, name: string): void {
    this.send(ctx, 200, [this.find(this.storageOf(ctx), ns, name)], true);
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

  /** Runs a storage write; when it fails, `undo` gives back what was allocated for it. */
  private written(write: () => ApiObject, undo: () => void): ApiObject {
    try {
      return write();
    } catch (err) {
      undo();
      throw err;
    }
  }

  /** JSON or YAML, or the protobuf client-go's typed clients send (kubectl 1.32's create configmap). */
  private async readBody(ctx: RequestContext): Promise<unknown> {
    if (mediaType(ctx.req) !== PROTOBUF) return readObject(ctx.req);
    const s = this.strategy;
    return decodeProtobufObject(await readRawBody(ctx.req), s.group, s.version, s.kind);
  }

  /** The manager of a request's write (fieldManager, else the User-Agent's product). */
  private managerOf(ctx: RequestContext, opts: WriteOptions): string {
    return managerOf(opts.fieldManager, ctx.req.headers['user-agent']);
  }

  async create(ctx: RequestContext, ns: string | undefined): Promise<void> {
    const opts = writeOptions('CreateOptions', ctx.query);
    const obj = this.forCreate(await this.readBody(ctx), ns);
    this.send(ctx, 201, [this.createObject(obj, this.sctx(ctx), opts.dryRun, this.managerOf(ctx, opts))], true);
  }

  /**
   * A create without HTTP (`tinylet run` creating the Services and ConfigMaps of its file):
   * defaulting, validation, allocation and the durable write. Throws the API error.
   */
  createObject(input: ApiObject, sctx: StrategyContext, dryRun = false, manager?: string | Manager[]): ApiObject {
    const s = this.strategy;
    let obj = s.prepareForCreate ? s.prepareForCreate(input, sctx) : input;
    // NamespaceLifecycle admission: before validation, as admission runs before the strategy's checks.
    admitCreate(s, obj, sctx.store);
    const name = obj.metadata?.name ?? '';
    const errors = s.validate(obj, sctx);
    if (errors.length > 0) throw invalid(s.kind, name, errors);
    const storage = this.storage(sctx);
    if (storage.get(obj.metadata?.namespace, name)) throw alreadyExists(s.resource, name);
    obj = { ...obj, metadata: { ...obj.metadata, uid: randomUUID(), creationTimestamp: rfc3339(new Date()) } };
    // The create's manager owns what it set (defaults included, the server's own additions not); an apply brings its own.
    if (manager !== undefined) {
      const managers = typeof manager === 'string' ? createdManaged(zeroObject(s), s.clientView ? s.clientView(obj, input) : obj, manager, scopeOf(s, 'object'), rfc3339(new Date())) : manager;
      obj = withManaged(obj, managers);
    }
    if (dryRun) return obj;
    if (s.allocate) obj = s.allocate(obj, sctx);
    const allocated = obj;
    return this.written(() => storage.create(allocated), () => s.release?.(allocated, undefined, sctx));
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

  async update(ctx: RequestContext, ns: string | undefined, name: string, part: UpdatePart): Promise<void> {
    if (ctx.method === 'PATCH' && mediaType(ctx.req) === APPLY_PATCH) return this.apply(ctx, ns, name, part);
    const opts = writeOptions(ctx.method === 'PUT' ? 'UpdateOptions' : 'PatchOptions', ctx.query);
    const sctx = this.sctx(ctx);
    const body = ctx.method === 'PUT' ? await this.readBody(ctx) : await readObject(ctx.req);
    const storage = this.storage(sctx);
    const old = this.find(storage, ns, name);
    const next = ctx.method === 'PATCH' ? this.patched(ctx, old, body) : body;
    this.store(ctx, sctx, storage, old, next, part, opts.dryRun, { update: this.managerOf(ctx, opts) });
  }

  /**
   * Server-side apply (PATCH application/apply-patch+yaml): the configuration merged into the
   * object by field ownership (src/server/apply), or, when there is no object yet, created from it.
   */
  private async apply(ctx: RequestContext, ns: string | undefined, name: string, part: UpdatePart): Promise<void> {
    const s = this.strategy;
    const opts = writeOptions('PatchOptions', ctx.query, true);
    const config = await readObject(ctx.req);
    if (!isObject(config)) throw badRequest(`the body of an apply patch must be a ${s.kind} object`);
    if (config.apiVersion !== this.gv) throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${String(config.apiVersion ?? '')}, expected: ${this.gv}`);
    if (config.kind !== s.kind) throw badRequest(`the kind of the object in the body (${JSON.stringify(config.kind)}) is not ${s.kind}`);
    const meta: Record<string, any> = isObject(config.metadata) ? config.metadata : {};
    if (meta.managedFields !== undefined && meta.managedFields !== null) throw badRequest('metadata.managedFields must be nil');
    if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    if (s.namespaced && meta.namespace && meta.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const applied: Record<string, any> = { ...config, metadata: { ...meta, name, ...(s.namespaced ? { namespace: ns } : {}) } };
    const manager = opts.fieldManager!;
    const sctx = this.sctx(ctx);
    const storage = this.storage(sctx);
    const live = storage.get(ns, name);
    const scope = scopeOf(s, part);
    const now = rfc3339(new Date());
    const run = <T>(f: () => T): T => {
      try {
        return f();
      } catch (err) {
        if (err instanceof KeyError) throw badRequest(`failed to create typed patch object (${this.gv}, Kind=${s.kind}): ${err.message}`);
        throw err;
      }
    };
    if (!live) {
      // An apply creates what is not there yet (the patch handler's forceAllowCreate), for the object itself only.
      if (part !== 'object') throw notFound(s.resource, name);
      const result = run(() => applyConfig(undefined, [], applied, manager, opts.force, scope, now));
      const obj = this.forCreate(result.object, ns);
      this.send(ctx, 201, [this.createObject(obj, sctx, opts.dryRun, result.managers)], true);
      return;
    }
    const managers = decodeManaged(live.metadata?.managedFields) ?? [];
    const result = run(() => applyConfig(this.typed(live), managers, applied, manager, opts.force, scope, now));
    this.store(ctx, sctx, storage, live, withManaged(result.object as ApiObject, result.managers), part, opts.dryRun, { applied: true });
  }

  /** An update of `old` to `next` (a PUT's body, a patch's result, an apply's merge): checks, no-op detection, dry run, the write. */
  private store(ctx: RequestContext, sctx: StrategyContext, storage: ObjectStorage, old: ApiObject, next: unknown, part: UpdatePart, dryRun: boolean, managing: Managing): void {
    const s = this.strategy;
    const name = old.metadata!.name!;
    const ns = old.metadata?.namespace;
    if (!isObject(next)) throw badRequest(ctx.method === 'PATCH' ? `the patched object is not a ${s.kind} object` : `the body of the request must be a ${s.kind} object`);
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
      // (An apply's managedFields, computed already, come along to the status subresource.)
      const managedFields = 'applied' in managing ? meta.managedFields : old.metadata?.managedFields;
      obj = part === 'status' ? { ...old, metadata: { ...old.metadata, managedFields }, status: obj.status } : { ...obj, status: old.status };
    }
    // pods/ephemeralcontainers: the stored object with the request's ephemeral containers, nothing else.
    if (part === 'ephemeralcontainers' && s.ephemeralContainers) obj = s.ephemeralContainers.prepare(obj, old);
    if (part === 'object' && s.prepareForUpdate) obj = s.prepareForUpdate(obj, old, sctx);
    if (part === 'status' && s.prepareForStatusUpdate) obj = s.prepareForStatusUpdate(obj, old, sctx);
    const errors =
      part === 'ephemeralcontainers' && s.ephemeralContainers
        ? s.ephemeralContainers.validate(obj, old)
        : part === 'status' && s.validateStatusUpdate
        ? s.validateStatusUpdate(obj, old, sctx)
        : [...(s.validateUpdateOnly ? [] : s.validate(obj, sctx)), ...(s.validateUpdate?.(obj, old, sctx) ?? [])];
    if (errors.length > 0) throw invalid(s.kind, name, errors);
    if ('update' in managing) obj = this.updatedManaged(old, obj, part, managing.update);
    // A no-op (kubectl apply of an unchanged file): no new resourceVersion, nothing announced, and
    // the reply is the object as a GET returns it (kubectl patch's "(no change)").
    const unchanged = (s.unchanged ? s.unchanged(obj, old, part) : comparable(obj) === comparable(old)) && sameManaged(obj, old);
    if (unchanged) return this.send(ctx, 200, [old], true);
    if (dryRun) return this.send(ctx, 200, [obj], true);
    if (s.allocateUpdate) obj = s.allocateUpdate(obj, old, sctx);
    const next2 = obj;
    const stored = this.written(() => storage.update(next2, old, part), () => s.release?.(next2, old, sctx));
    s.release?.(old, stored, sctx);
    this.send(ctx, 200, [stored], true);
  }

  /**
   * The managedFields after an Update by `manager`: the client's own entries when it sent some (a
   * client may rewrite them, as kubectl does moving client-side apply's fields to server-side
   * apply), else the stored ones; then the fields this write changed move to the manager. pods/status
   * and pods/ephemeralcontainers go to the kubelet, which keeps the pod's metadata as it was.
   */
  private updatedManaged(old: ApiObject, obj: ApiObject, part: UpdatePart, manager: string): ApiObject {
    const s = this.strategy;
    if (part === 'ephemeralcontainers' || (part === 'status' && s.storage)) return { ...obj, metadata: { ...obj.metadata, managedFields: old.metadata?.managedFields } } as ApiObject;
    const sent = part === 'object' ? decodeManaged(obj.metadata?.managedFields) : undefined;
    const start = sent && sent.length > 0 ? sent : (decodeManaged(old.metadata?.managedFields) ?? []);
    return withManaged(obj, updateManaged(start, old, obj, manager, scopeOf(s, part), rfc3339(new Date())));
  }

  private async deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
    const body = await readObject(ctx.req);
    const opts: Record<string, any> = isObject(body) ? body : {};
    const dry = opts.dryRun;
    if (dry !== undefined && dry !== null && !(Array.isArray(dry) && dry.every((d) => typeof d === 'string'))) throw badRequest('dryRun: must be a list of strings');
    if (opts.preconditions !== undefined && opts.preconditions !== null && !isObject(opts.preconditions)) throw badRequest('preconditions: must be an object');
    // The body's dryRun, else the query's (a DeleteOptions body replaces the query's options).
    const dryRun: string[] = Array.isArray(dry) ? dry : ctx.query.getAll('dryRun');
    const dryErrors = dryRunErrors(dryRun);
    if (dryErrors.length > 0) throw optionsInvalid('DeleteOptions', dryErrors);
    const out: DeleteOptions = { preconditions: opts.preconditions ?? undefined, dryRun: dryRun.includes('All') };
    if (this.strategy.gracefulDelete) {
      // The body's, else the query's int64 as the parameter codec parses it: `gracePeriodSeconds=abc` is a 400.
      let grace: unknown = opts.gracePeriodSeconds;
      if (grace === undefined) grace = int64Param(ctx.query, 'gracePeriodSeconds');
      if (grace !== undefined && grace !== null) {
        if (!Number.isInteger(grace)) throw badRequest(`invalid gracePeriodSeconds: ${String(grace)}`);
        // The API server turns a negative grace period into the shortest graceful one.
        out.gracePeriodSeconds = (grace as number) < 0 ? 1 : (grace as number);
      }
    }
    return out;
  }

  private deleteOne(ctx: RequestContext, storage: ObjectStorage, obj: ApiObject, opts: DeleteOptions): ApiObject {
    const meta = obj.metadata!;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== meta.uid) throw conflict(this.strategy.resource, meta.name!, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(this.strategy.resource, meta.name!, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
    }
    admitDelete(this.strategy, obj);
    if (opts.dryRun) return obj;
    const gone = storage.delete(obj, opts);
    if (gone) this.strategy.release?.(gone, undefined, this.sctx(ctx));
    return gone ?? obj;
  }

  async delete(ctx: RequestContext, ns: string | undefined, name: string): Promise<void> {
    const opts = await this.deleteOptions(ctx);
    const storage = this.storageOf(ctx);
    const obj = this.find(storage, ns, name);
    this.send(ctx, 200, [this.deleteOne(ctx, storage, obj, opts)], true);
  }

  async deleteCollection(ctx: RequestContext, ns: string | undefined): Promise<void> {
    const opts = await this.deleteOptions(ctx);
    listOptions(ctx); // a deletecollection takes ListOptions too: a bad one is a 400 before anything goes
    const matches = selectorFromQuery(ctx, fieldGetterOf(this.strategy));
    const storage = this.storageOf(ctx);
    const deleted = storage.list(ns).filter(matches).map((o) => this.deleteOne(ctx, storage, o, opts));
    this.send(ctx, 200, deleted, false, storage.resourceVersion);
  }
}

