// Every kind the API serves besides pods and events, in one durable store: one JSON file per object
// under <stateDir>/store/objects/<resource>/, written atomically and fsynced before a request that
// changed it is answered, mode 0600 like the whole store (Secrets at rest are readable by root only).
// One resourceVersion clock (the kubelet's) orders every kind, and each resource has its watch hub.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectMeta } from '../api/types.js';
import { boundedName } from '../kubelet/diskNames.js';
import { WatchHub, type WatchType } from '../server/watchHub.js';
import { ATOMIC_TEMP_FILE, writeFileAtomic } from './atomicWrite.js';
import { removeFileDurably } from './fsyncDir.js';
import { quarantine } from './quarantine.js';
import { byCodeUnit } from '../api/stringOrder.js';

export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** What a change looks like to the agent's controllers (the endpoints controller, the proxy, DNS). */
export interface ObjectChange {
  resource: string;
  type: WatchType;
  object: ApiObject;
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/** The objects found on disk at start, read before the resourceVersion clock resumes. */
export interface LoadedObjects {
  byResource: Map<string, ApiObject[]>;
  highestVersion: number;
  quarantined: string[];
}

export function objectsDir(stateDir: string): string {
  return join(stateDir, 'store', 'objects');
}

/** Reads every stored object of the given resources; a file that is not one is quarantined. */
export function loadObjects(stateDir: string, resources: readonly string[]): LoadedObjects {
  const out: LoadedObjects = { byResource: new Map(), highestVersion: 0, quarantined: [] };
  for (const resource of resources) {
    const dir = join(objectsDir(stateDir), resource);
    const items: ApiObject[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      names = [];
    }
    for (const file of names) {
      if (ATOMIC_TEMP_FILE.test(file) || !file.endsWith('.json')) continue;
      const path = join(dir, file);
      try {
        const obj = JSON.parse(readFileSync(path, 'utf8')) as unknown;
        const meta = (obj as ApiObject | null)?.metadata;
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || typeof meta?.name !== 'string' || !meta.name) throw new Error('not an API object with a name');
        items.push(obj as ApiObject);
        const rv = Number(meta.resourceVersion);
        if (Number.isSafeInteger(rv)) out.highestVersion = Math.max(out.highestVersion, rv);
      } catch (err) {
        out.quarantined.push(quarantine(stateDir, path, (err as Error).message));
      }
    }
    out.byResource.set(resource, items);
  }
  return out;
}

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, ApiObject>>();
  private readonly hubs = new Map<string, WatchHub<ApiObject>>();
  private readonly listeners = new Set<(change: ObjectChange) => void>();
  private frozen = false;

  constructor(
    private readonly stateDir: string,
    private readonly nextRv: () => string,
    startRv: number,
    loaded: LoadedObjects,
  ) {
    for (const [resource, items] of loaded.byResource) {
      const map = new Map(items.map((o) => [keyOf(o.metadata?.namespace, o.metadata!.name!), o]));
      this.objects.set(resource, map);
      const hub = new WatchHub<ApiObject>(startRv, nextRv);
      hub.seed(items);
      this.hubs.set(resource, hub);
    }
  }

  private map(resource: string): Map<string, ApiObject> {
    const m = this.objects.get(resource);
    if (!m) throw new Error(`resource ${resource} is not in the object store`);
    return m;
  }

  hub(resource: string): WatchHub<ApiObject> {
    this.map(resource);
    return this.hubs.get(resource)!;
  }

  /** Sorted by namespace and name, as the API server lists from etcd. */
  list(resource: string, namespace?: string): ApiObject[] {
    return [...this.map(resource).values()]
      .filter((o) => namespace === undefined || o.metadata?.namespace === namespace)
      .sort((a, b) => byCodeUnit(keyOf(a.metadata?.namespace, a.metadata!.name!), keyOf(b.metadata?.namespace, b.metadata!.name!)));
  }

  get(resource: string, namespace: string | undefined, name: string): ApiObject | undefined {
    return this.map(resource).get(keyOf(namespace, name));
  }

  private file(resource: string, namespace: string | undefined, name: string): string {
    return join(objectsDir(this.stateDir), resource, `${boundedName(`${namespace ?? ''}_${name}`, 100)}.json`);
  }

  /**
   * Stores the object with a new resourceVersion, durably (written and fsynced) before it returns,
   * and announces it. Throws when it cannot write (the request fails, nothing changed).
   */
  put(resource: string, object: ApiObject): ApiObject {
    if (this.frozen) throw Object.assign(new Error('the object store is closed (agent shutting down)'), { code: 'ESHUTDOWN' });
    const map = this.map(resource);
    const meta = object.metadata!;
    const key = keyOf(meta.namespace, meta.name!);
    const type: WatchType = map.has(key) ? 'MODIFIED' : 'ADDED';
    const stored: ApiObject = { ...object, metadata: { ...meta, resourceVersion: this.nextRv() } };
    const dir = join(objectsDir(this.stateDir), resource);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file(resource, meta.namespace, meta.name!), JSON.stringify(stored));
    map.set(key, stored);
    this.announce(resource, type, stored);
    return stored;
  }

  /** Removes the object durably and announces it; undefined when there was none. */
  remove(resource: string, namespace: string | undefined, name: string): ApiObject | undefined {
    if (this.frozen) throw Object.assign(new Error('the object store is closed (agent shutting down)'), { code: 'ESHUTDOWN' });
    const map = this.map(resource);
    const key = keyOf(namespace, name);
    const old = map.get(key);
    if (!old) return undefined;
    removeFileDurably(this.file(resource, namespace, name));
    map.delete(key);
    const gone: ApiObject = { ...old, metadata: { ...old.metadata, resourceVersion: this.nextRv() } };
    this.announce(resource, 'DELETED', gone);
    return gone;
  }

  private announce(resource: string, type: WatchType, object: ApiObject): void {
    this.hubs.get(resource)!.publish(type, object);
    // A listener's failure is its own: the change is stored and announced to the others.
    for (const l of this.listeners) {
      try {
        l({ resource, type, object });
      } catch (err) {
        console.error(`tinylet: a watcher of ${resource} failed: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }

  /** Calls `listener` after every change of any resource; returns the unsubscribe. */
  onChange(listener: (change: ObjectChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Agent shutdown: nothing more is recorded. */
  freeze(): void {
    this.frozen = true;
  }
}
