import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import type { Bind } from '../runtime/containerSpec.js';
import { startSandbox, stopSandbox, type Sandbox } from '../runtime/sandbox.js';
import { preparePodVolumes, removePodVolumes } from '../runtime/volumes.js';
import type { KubeletContext } from './kubeletContext.js';
import { writePodFiles } from './podFiles.js';
import { podHostname } from './podHostname.js';
import { podDir } from './podPaths.js';
import { podSysctls } from './admission.js';
import type { PodObjectVolumes } from './volumes/podObjectVolumes.js';

let removals = 0;

/** A pod's sandbox and what lives and dies with it: the pause process, pod network, volumes, pod files. */
export class PodSandbox {
  private constructor(
    readonly sandbox: Sandbox,
    readonly hostname: string,
    readonly net: { ip?: string; hostVeth?: string },
    readonly volumeSources: Map<string, string>,
    readonly podBinds: Bind[],
    /** Volumes mounted read-only whatever the mount says (the written ones). */
    readonly readOnlyVolumes: ReadonlySet<string>,
    private readonly pod: Pod,
    private readonly kl: KubeletContext,
  ) {}

  /** `written`: the pod's configMap, secret, downwardAPI, projected and service account volumes, already set up. */
  static async create(pod: Pod, kl: KubeletContext, written?: PodObjectVolumes): Promise<PodSandbox> {
    const spec = pod.spec!;
    const hostname = podHostname(pod);
    const dir = podDir(kl.config.stateDir, pod);
    mkdirSync(dir, { recursive: true });
    const reserved = spec.hostNetwork ? undefined : await kl.network.reserve(pod.metadata!.uid!);
    const net: { ip?: string; hostVeth?: string } = reserved ? { ip: reserved.ip, hostVeth: reserved.sandbox.hostVeth } : {};
    let sandbox: Sandbox;
    try {
      sandbox = await startSandbox({ hostname, hostNetwork: spec.hostNetwork === true, sharePid: spec.shareProcessNamespace === true, sysctls: podSysctls(pod), network: reserved?.sandbox, ioDir: dir });
    } catch (err) {
      // Nothing of the pair is left (it dies with the pause process's netns): only the IP to free.
      if (reserved) await kl.network.detach({ ip: reserved.ip });
      throw err;
    }
    try {
      const volumes = new Map([...preparePodVolumes(pod, dir), ...(written?.sources ?? [])]);
      const binds = writePodFiles(join(dir, 'files'), pod, hostname, net.ip, written?.serviceAccountDir, { clusterDomain: kl.config.clusterDomain, clusterDNS: kl.clusterDNS });
      return new PodSandbox(sandbox, hostname, net, volumes, binds, written?.readOnlyNames ?? new Set(), pod, kl);
    } catch (err) {
      // The pod's volumes stay: they were set up before the sandbox (the worker's), and the next
      // attempt (the sandbox is retried: a static pod's predecessor may still hold its veth) uses them.
      await new PodSandbox(sandbox, hostname, net, new Map(), [], new Set(), pod, kl).remove({ podDirInUse: () => true });
      throw err;
    }
  }

  describe(): string {
    const where = this.net.ip ? `, pod IP ${this.net.ip}` : this.sandbox.hostNetwork ? ', host network' : '';
    return `pause pid ${this.sandbox.pid}, hostname ${this.hostname}${where}`;
  }

  /** Stops the pause process and frees the pod IP, volumes and the containers' writable layers. */
  /** `podDirInUse` is asked once the pause process is gone (a successor may have started meanwhile). */
  async remove(opts: { podDirInUse?: () => boolean } = {}): Promise<void> {
    await stopSandbox(this.sandbox);
    await this.kl.network.detach(this.net);
    // A successor under the same uid (a static pod come back) already uses the pod's directory.
    if (opts.podDirInUse?.()) return;
    const dir = podDir(this.kl.config.stateDir, this.pod);
    removePodVolumes(this.pod, dir);
    // Renamed at once, removed off the main thread: the rmdirs of a container's layers cost tens of
    // ms each (~4 s of a 100-pod delete, synchronous, stalled every other pod), and a successor
    // that starts meanwhile makes a fresh containers/ of its own.
    const containers = join(dir, 'containers');
    const doomed = `${containers}.removed-${++removals}`;
    try {
      renameSync(containers, doomed);
    } catch {
      rmSync(containers, { recursive: true, force: true });
      return;
    }
    await rm(doomed, { recursive: true, force: true });
  }
}
