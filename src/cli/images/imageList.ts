import { ImageCatalog } from '../../runtime/images/catalog.js';
import { parseImageReference } from '../../runtime/images/reference.js';
import type { StoredImage } from '../../runtime/images/imageStore.js';
import { imageStoreOf } from './imageStoreOf.js';

/**
 * `tinylet image ls`: crictl images' columns plus where each image comes from. Host-backed names
 * are listed too (after the store's), since a pod naming them runs them unless the store has the
 * reference.
 */
export function imageListCommand(opts: { config?: string; quiet?: boolean }): number {
  const { store, config } = imageStoreOf(opts);
  const images = store.list();
  if (opts.quiet) {
    for (const i of images) console.log(i.configDigest);
    return 0;
  }
  const rows = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE', 'SOURCE']];
  for (const i of images) rows.push([...nameAndTag(i), i.configDigest.slice(7, 20), humanSize(i.size), i.source]);
  const catalog = new ImageCatalog(config.images);
  for (const name of catalog.names(config.builtinImages)) rows.push([name, '*', '-', '-', 'host']);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join('').trimEnd());
  return 0;
}

function nameAndTag(i: StoredImage): [string, string] {
  if (i.reference.startsWith('sha256:')) return ['<none>', '<none>'];
  const ref = parseImageReference(i.reference);
  return [`${ref.registry}/${ref.repository}`, ref.tag || '<none>'];
}

/** As crictl prints sizes: decimal units. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${units[u]}`;
}
