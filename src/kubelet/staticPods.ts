// Static pods (pkg/kubelet/config/file.go): every manifest in `staticPodPath` is a pod this node runs
// without anyone asking through the API. Files added, changed or removed create, replace or delete
// pods; the pod is named `<name>-<nodeName>` and annotated with its source and content hash (its uid
// comes from that hash, so an unchanged file keeps its pod across agent restarts). A static pod
// deleted through the API comes back, as its file still asks for it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { Pod } from '../api/types.js';
import { formatFieldErrors } from '../api/fieldErrors.js';
import { parseManifests, readManifestPaths } from '../api/manifest.js';
import { validateObjects } from '../api/validate.js';
import type { Kubelet } from './kubelet.js';

export const SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const HASH_ANNOTATION = 'kubernetes.io/config.hash';

function uidFromHash(hash: string): string {
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
}

export class StaticPodSource {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private interval?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private readonly reported = new Set<string>();
  private stopped = false;

  constructor(
    private readonly kubelet: Kubelet,
    private readonly dir: string,
    /** Makes the pod's namespace when it has none (the kubelet's mirror pod needs one); the agent's. */
    private readonly ensureNamespace?: (namespace: string) => void,
  ) {}

  private readonly onPod = (type: string, pod: Pod) => {
    if (type === 'DELETED' && pod.metadata?.annotations?.[SOURCE_ANNOTATION] === 'file') this.schedule();
  };

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.watcher = watch(this.dir, () => this.schedule());
    this.interval = setInterval(() => this.schedule(), 20_000);
    this.kubelet.on('pod', this.onPod);
    await this.reconcile();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.interval);
    clearTimeout(this.timer);
    this.kubelet.off('pod', this.onPod);
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reconcile(), 200);
  }

  /** One pass at a time; a change during a pass triggers another. */
  reconcile(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.reconcile();
      }
    });
    return this.running;
  }

  private async desired(): Promise<Map<string, Pod>> {
    const pods = new Map<string, Pod>();
    if (!existsSync(this.dir)) return pods;
    const node = this.kubelet.config.nodeName.toLowerCase();
    for (const src of await readManifestPaths(this.dir).catch(() => [])) {
      try {
        const result = validateObjects(parseManifests(src.text, src.source));
        if (result.errors.length) throw new Error(formatFieldErrors(result.errors).join('; '));
        for (const pod of result.pods) {
          const hash = createHash('sha256').update(src.source).update(JSON.stringify(pod.spec)).update(JSON.stringify(pod.metadata?.labels ?? {})).update(JSON.stringify(pod.metadata?.annotations ?? {})).digest('hex');
          const m = pod.metadata!;
          const name = `${m.name}-${node}`;
          pod.metadata = {
            ...m,
            name,
            uid: uidFromHash(hash),
            annotations: { ...m.annotations, [SOURCE_ANNOTATION]: 'file', [HASH_ANNOTATION]: hash.slice(0, 32), 'kubernetes.io/config.mirror': hash.slice(0, 32) },
          };
          pod.spec = { ...pod.spec!, nodeName: this.kubelet.config.nodeName };
          pods.set(`${m.namespace}/${name}`, pod);
        }
      } catch (err) {
        const msg = `tinylet: static pod file ${src.source}: ${(err as Error).message}`;
        if (!this.reported.has(msg)) console.error(msg);
        this.reported.add(msg);
      }
    }
    return pods;
  }

  private async pass(): Promise<void> {
    const want = await this.desired();
    if (this.stopped) return;
    const have = this.kubelet.listPods().filter((p) => p.metadata?.annotations?.[SOURCE_ANNOTATION] === 'file');
    for (const pod of have) {
      const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
      const wanted = want.get(key);
      if (wanted && wanted.metadata!.annotations![HASH_ANNOTATION] === pod.metadata!.annotations![HASH_ANNOTATION]) continue;
      if (!pod.metadata!.deletionTimestamp) this.kubelet.deletePod(pod.metadata!.namespace!, pod.metadata!.name!);
    }
    for (const [key, pod] of want) {
      const [ns, name] = key.split('/') as [string, string];
      if (this.kubelet.getPod(ns, name)) continue;
      try {
        this.ensureNamespace?.(ns);
        this.kubelet.createPod(pod);
      } catch (err) {
        console.error(`tinylet: static pod ${key}: ${(err as Error).message}`);
      }
    }
  }
}
