import { humanSize } from './imageList.js';
import { imageStoreOf } from './imageStoreOf.js';

/** `tinylet image prune`: every image no running container uses (crictl rmi --prune), then their files. */
export function imagePruneCommand(opts: { config?: string }): number {
  const { store } = imageStoreOf(opts);
  const inUse = store.leasedRoots();
  for (const image of store.list()) {
    if (inUse.has(store.rootPath(image))) continue;
    store.untag(image.reference);
    console.log(`Deleted: ${image.reference}`);
  }
  const freed = store.collectGarbage();
  console.log(`Total reclaimed space: ${humanSize(freed.bytes)}`);
  return 0;
}
