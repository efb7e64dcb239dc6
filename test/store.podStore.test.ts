// The pod store's background writes: the coalesced tick writes off the event loop, yet a pod's
// file always ends with its newest state: a later synchronous write or a removal wins over a
// background write still under way, and stopping writes everything that is pending or in flight.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { PodStore, type StoredPod } from '../src/store/podStore.js';

const stored = (name: string, version: string): StoredPod => ({ pod: { metadata: { name, namespace: 'default', annotations: { v: version } } } as Pod, containers: {}, savedAt: new Date().toISOString() });
const version = (store: PodStore, name: string) => (JSON.parse(readFileSync(store.file('default', name), 'utf8')) as StoredPod).pod.metadata!.annotations!.v;

describe('PodStore background writes', () => {
  let dir: string;
  let store: PodStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tinylet-podstore-'));
    store = new PodStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  // Background writes keep their temp files beside the pods' directory, which holds only pod files.
  const settled = () => vi.waitFor(() => expect(readdirSync(join(dir, 'store', 'pods.tmp'))).toEqual([]), { timeout: 5000, interval: 10 });

  it('writes a burst in the background, once per pod, and leaves no temp file', async () => {
    for (let i = 0; i < 50; i++) store.save('default', `p${i}`, () => stored(`p${i}`, 'a'));
    store.save('default', 'p0', () => stored('p0', 'b'));
    await vi.waitFor(() => expect(existsSync(store.file('default', 'p49'))).toBe(true), { timeout: 5000, interval: 10 });
    expect(readdirSync(store.dir).every((f) => f.endsWith('.json'))).toBe(true);
    await settled();
    expect(version(store, 'p0')).toBe('b');
    expect(readdirSync(store.dir)).toHaveLength(50);
  });

  it('a removal made while a background write is under way is not undone by it', async () => {
    store.save('default', 'gone', () => stored('gone', 'a'));
    store.flush(); // starts the background write now
    store.remove('default', 'gone');
    await settled();
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(store.file('default', 'gone'))).toBe(false);
  });

  it('a synchronous write made meanwhile stays: the older background one is discarded', async () => {
    store.save('default', 'p', () => stored('p', 'old'));
    store.flush();
    store.save('default', 'p', () => stored('p', 'new'));
    store.flush({ namespace: 'default', name: 'p' });
    expect(version(store, 'p')).toBe('new');
    await settled();
    expect(version(store, 'p')).toBe('new');
  });

  it('freeze writes what is pending and what is in flight, synchronously', () => {
    store.save('default', 'p', () => stored('p', 'in-flight'));
    store.flush();
    store.save('default', 'q', () => stored('q', 'pending'));
    store.freeze();
    expect(version(store, 'p')).toBe('in-flight');
    expect(version(store, 'q')).toBe('pending');
  });
});
