import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobStore, isDigest } from './content/blobStore.js';
import { unpackImage } from './layers/unpackImage.js';
import { parseOciConfig, type OciImageConfig } from './ociConfig.js';
import { byCodeUnit } from '../../api/stringOrder.js';

/** The lease a pull or load holds while it adds blobs no reference names yet. */
export const INGEST_LEASE = 'ingest:';

/** One image of the store under one reference. */
export interface StoredImage {
  /** Normalised: docker.io/library/app:v1, 127.0.0.1:5000/x:y, docker.io/library/app@sha256:..., or sha256:... (untagged). */
  reference: string;
  /** docker.io/library/app ('' for an untagged image). */
  repository: string;
  /** The manifest it came with (OCI layouts, pulls); absent for legacy docker-save images. */
  manifestDigest?: string;
  /** This platform's manifest when manifestDigest is an index (a multi-platform image). */
  platformManifestDigest?: string;
  configDigest: string;
  layers: { digest: string; mediaType: string; size: number }[];
  source: 'pulled' | 'loaded';
  /** Config and layer blobs as stored (compressed): the size the kubelet reports. */
  size: number;
  createdAt: string;
}

/**
 * Pulled and loaded images (containerd's image and content stores in one): blobs by digest under
 * `blobs/`, one small file per reference under `refs/`, and under `roots/<config hex>` each image's
 * layers applied once into one directory, the lower layer of its containers' overlays.
 *
 * One root per image rather than per layer: Node cannot make overlayfs whiteouts (a 0:0 character
 * device or the trusted.overlay.opaque xattr), so a layer's deletions could not be kept as a layer of
 * their own; applied in order into one directory they are plain deletions. Images sharing a base copy
 * it; the lower dir stays a single path whatever the number of layers.
 *
 * Every write is a rename of a finished file or directory, so the agent and a `tinylet image` command
 * can use the same store at once and a crash never leaves a half-written reference or root in use.
 */
export class ImageStore {
  readonly blobs: BlobStore;
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(readonly dir: string) {
    this.blobs = new BlobStore(join(dir, 'blobs'));
  }

  private refPath(reference: string): string {
    return join(this.dir, 'refs', `${createHash('sha256').update(reference).digest('hex')}.json`);
  }

  tag(image: Omit<StoredImage, 'createdAt'>): StoredImage {
    const record: StoredImage = { ...image, createdAt: new Date().toISOString() };
    const path = this.refPath(image.reference);
    mkdirSync(join(this.dir, 'refs'), { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, path);
    return record;
  }

  get(reference: string): StoredImage | undefined {
    const path = this.refPath(reference);
    if (!existsSync(path)) return undefined;
    return readRecord(path);
  }

  list(): StoredImage[] {
    const dir = join(this.dir, 'refs');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => readRecord(join(dir, f)))
      .filter((r): r is StoredImage => r !== undefined)
      .sort((a, b) => byCodeUnit(a.reference, b.reference));
  }

  untag(reference: string): boolean {
    const path = this.refPath(reference);
    if (!existsSync(path)) return false;
    rmSync(path, { force: true });
    return true;
  }

  config(image: Pick<StoredImage, 'reference' | 'configDigest'>): OciImageConfig {
    return parseOciConfig(this.blobs.read(image.configDigest), `image ${image.reference}: config ${image.configDigest}`);
  }

  rootPath(image: Pick<StoredImage, 'configDigest'>): string {
    return join(this.dir, 'roots', image.configDigest.slice('sha256:'.length));
  }

  /** The image's layers applied into its root directory, once (concurrent callers share one unpack). */
  async ensureRoot(image: Omit<StoredImage, 'createdAt'>): Promise<string> {
    const root = this.rootPath(image);
    if (existsSync(root)) return root;
    let pending = this.unpacking.get(root);
    if (!pending) {
      pending = this.unpack(image, root).finally(() => this.unpacking.delete(root));
      this.unpacking.set(root, pending);
    }
    return pending;
  }

  private async unpack(image: Omit<StoredImage, 'createdAt'>, root: string): Promise<string> {
    const { diffIDs } = this.config(image);
    mkdirSync(join(this.dir, 'roots'), { recursive: true });
    const tmp = join(this.dir, 'roots', `.unpack-${randomBytes(6).toString('hex')}`);
    // Until it is renamed into place the root is nobody's: the lease keeps a prune off it.
    const release = this.lease(`${INGEST_LEASE}unpack ${image.reference}`);
    try {
      await unpackImage(this.blobs, image.layers, diffIDs, tmp);
      chmodSync(tmp, 0o755);
      renameSync(tmp, root);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      // Another process finished the same root first: theirs is as good.
      if (existsSync(root)) return root;
      throw err;
    } finally {
      release();
    }
    return root;
  }

  /**
   * Marks a root as in use by a running container until the returned function is called: `image rm`
   * and `prune`, in this process or another, keep it. A lease of a process that is gone is void.
   */
  lease(root: string): () => void {
    const dir = join(this.dir, 'leases');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    writeFileSync(path, root);
    return () => rmSync(path, { force: true });
  }

  /** Roots leased by live processes (stale leases removed on the way). */
  leasedRoots(): Set<string> {
    const dir = join(this.dir, 'leases');
    const roots = new Set<string>();
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      const path = join(dir, name);
      const pid = Number(name.split('-')[0]);
      if (!processAlive(pid)) {
        rmSync(path, { force: true });
        continue;
      }
      try {
        roots.add(readFileSync(path, 'utf8'));
      } catch {
        // released meanwhile
      }
    }
    return roots;
  }

  /** Roots, then blobs, no reference needs any more (`image prune` and `image rm`); `inUse` roots are kept. */
  collectGarbage(): { roots: number; blobs: number; bytes: number } {
    const inUse = this.leasedRoots();
    const images = this.list();
    const liveRoots = new Set(images.map((i) => this.rootPath(i)));
    const liveBlobs = new Set<string>();
    for (const i of images) {
      liveBlobs.add(i.configDigest);
      if (i.manifestDigest) liveBlobs.add(i.manifestDigest);
      if (i.platformManifestDigest) liveBlobs.add(i.platformManifestDigest);
      for (const l of i.layers) liveBlobs.add(l.digest);
    }
    let roots = 0;
    let blobs = 0;
    let bytes = 0;
    // A pull, load or unpack in progress has blobs and a root no reference names yet: while one
    // runs, nothing is collected (the next prune does it). Without one, what is half-written is a
    // crash's leftover (an unpack dir, an ingest file) and goes too.
    if ([...inUse].some((l) => l.startsWith(INGEST_LEASE))) return { roots, blobs, bytes };
    this.blobs.clearIngest();
    const rootsDir = join(this.dir, 'roots');
    for (const name of existsSync(rootsDir) ? readdirSync(rootsDir) : []) {
      const path = join(rootsDir, name);
      if (liveRoots.has(path) || inUse.has(path)) continue;
      rmSync(path, { recursive: true, force: true });
      roots++;
    }
    for (const digest of this.blobs.list()) {
      if (liveBlobs.has(digest)) continue;
      bytes += this.blobs.size(digest);
      this.blobs.remove(digest);
      blobs++;
    }
    return { roots, blobs, bytes };
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readRecord(path: string): StoredImage | undefined {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as StoredImage;
    if (typeof r.reference !== 'string' || !isDigest(r.configDigest) || !Array.isArray(r.layers)) return undefined;
    return r;
  } catch {
    // A record someone broke by hand is not an image; `image ls` must still list the others.
    return undefined;
  }
}
