import { parseManifests, readManifestPaths } from '../api/manifest.js';

export interface SourcedObject {
  object: Record<string, any>;
  source: string;
}

/** Every object of `-f` arguments (files, directories, `-`), in order; only Pods are served. */
export async function readObjects(paths: string[]): Promise<SourcedObject[]> {
  if (paths.length === 0) throw new Error('must specify one of -f and -k');
  const out: SourcedObject[] = [];
  for (const p of paths) {
    for (const src of await readManifestPaths(p)) {
      for (const doc of parseManifests(src.text, src.source)) {
        const o = doc.object;
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`${src.source}: object ${doc.index + 1} is not a Kubernetes object`);
        if (o.kind !== 'Pod') throw new Error(`${src.source}: kind "${String(o.kind)}": tinylet serves Pods only (no matches for kind "${String(o.kind)}" in version "${String(o.apiVersion)}")`);
        out.push({ object: o, source: src.source });
      }
    }
  }
  if (out.length === 0) throw new Error('no objects passed to apply');
  return out;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];
