// The node's Service proxy: kube-proxy's job, in the kernel. Each sync renders the whole table from
// the latest model (serviceRules.ts) and swaps it in one nft transaction, so a packet sees either the
// old rules or the new ones, never a mix, and nothing of an old model can linger.
import { readFile, writeFile } from 'node:fs/promises';
import { parseCidr, type Cidr } from '../runtime/network/cidr.js';
import { runProcess } from '../runtime/runProcess.js';
import type { ProxyService } from './serviceModel.js';
import { serviceRules, serviceTableName, type AffinityEntry } from './serviceRules.js';

/** Bursts (an EndpointSlice per pod becoming ready) within this many ms cost one nft run. */
const COALESCE_MS = 5;

export interface ServiceProxyOptions {
  bridge: string;
  podCIDR: string;
  serviceCIDR: string;
  /** Another table than the bridge's (`tinylet run` beside an agent on the same bridge keeps its own). */
  table?: string;
}

interface Waiter {
  generation: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class ServiceProxy {
  /** The nftables table, in the `ip` family: `ip tinylet-svc-<bridge>`. */
  readonly table: string;
  private readonly bridge: string;
  private readonly podCIDR: Cidr;
  private readonly serviceCIDR: Cidr;
  private latest: ProxyService[] | undefined;
  private generation = 0;
  private applied = 0;
  private failed: { generation: number; error: Error } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private waiters: Waiter[] = [];
  /** route_localnet as found before this proxy set it, restored by remove(). */
  private savedLocalnet: string | undefined;

  constructor(opts: ServiceProxyOptions) {
    this.bridge = opts.bridge;
    this.table = opts.table ?? serviceTableName(opts.bridge);
    this.podCIDR = parseCidr(opts.podCIDR);
    this.serviceCIDR = parseCidr(opts.serviceCIDR);
  }

  /** Takes the latest model; applied shortly, together with any other sync in the meantime. Never throws. */
  sync(services: ProxyService[]): void {
    this.latest = services;
    this.generation++;
    this.schedule();
  }

  /** Resolves once the latest model is in the kernel; rejects if applying that model failed. */
  flush(): Promise<void> {
    const generation = this.generation;
    if (this.applied >= generation) return Promise.resolve();
    if (this.failed?.generation === generation && !this.pending()) return Promise.reject(this.failed.error);
    return new Promise((resolve, reject) => this.waiters.push({ generation, resolve, reject }));
  }

  /** Deletes the table and restores route_localnet; a later sync() installs it again. */
  async remove(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = undefined;
    await this.running;
    const r = await nft(`add table ip ${this.table}\ndelete table ip ${this.table}\n`);
    if (r.exitCode !== 0) throw new Error(`nft: deleting table ip ${this.table} failed: ${r.stderr || r.stdout}`.trim());
    if (this.savedLocalnet !== undefined) {
      await writeFile(this.localnetPath(), this.savedLocalnet).catch(() => undefined); // bridge gone: nothing to restore
      this.savedLocalnet = undefined;
    }
    // Models synced but never applied are dropped with the table: their flush() waiters resolve, as
    // there is nothing left to wait for.
    this.applied = this.generation;
    this.settle();
  }

  private pending(): boolean {
    return this.latest !== undefined || this.timer !== undefined || this.running !== undefined;
  }

  private schedule(): void {
    if (this.timer || this.running) return; // the run in progress schedules the next one when done
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run().finally(() => {
        this.running = undefined;
        if (this.latest) this.schedule();
      });
    }, COALESCE_MS);
  }

  private async run(): Promise<void> {
    const services = this.latest;
    const generation = this.generation;
    this.latest = undefined;
    if (!services) return;
    try {
      await this.apply(services);
      this.applied = generation;
      this.failed = undefined;
    } catch (err) {
      // Logged, then retried with whatever the next sync brings.
      const error = err instanceof Error ? err : new Error(String(err));
      console.error(`tinylet: service proxy: ${error.message}`);
      this.failed = { generation, error };
    }
    this.settle();
  }

  /** Resolves waiters whose model (or a later one) is applied; rejects those whose model failed last. */
  private settle(): void {
    const idle = !this.latest;
    this.waiters = this.waiters.filter((w) => {
      if (this.applied >= w.generation) w.resolve();
      else if (idle && this.failed && this.failed.generation >= w.generation) w.reject(this.failed.error);
      else return true;
      return false;
    });
  }

  private async apply(services: ProxyService[]): Promise<void> {
    const affinity = services.some((s) => s.affinityTimeoutSeconds) ? await this.currentAffinity() : undefined;
    const rules = serviceRules({ table: this.table, bridge: this.bridge, podCIDR: this.podCIDR, serviceCIDR: this.serviceCIDR, services, affinity });
    // `add` makes the `delete` safe when the table is new (nft 1.0.6 has no `destroy`): one transaction.
    const r = await nft(`add table ip ${this.table}\ndelete table ip ${this.table}\n${rules}`);
    if (r.exitCode !== 0) throw new Error(`nft: installing table ip ${this.table} failed: ${r.stderr || r.stdout}`.trim());
    await this.ensureLocalnet();
  }

  /**
   * The clients the installed table's affinity sets remember, carried into the new table. A client
   * whose first connection lands between this read and the swap draws its endpoint once more.
   */
  private async currentAffinity(): Promise<Record<string, AffinityEntry[]>> {
    const r = await nft(['-j', 'list', 'table', 'ip', this.table]);
    if (r.exitCode !== 0) return {}; // no table yet
    const out: Record<string, AffinityEntry[]> = {};
    type Elem = string | { elem?: { val?: unknown; expires?: unknown } };
    const items = (JSON.parse(r.stdout) as { nftables?: { set?: { name: string; elem?: Elem[] } }[] }).nftables ?? [];
    for (const { set } of items) {
      if (!set?.name.startsWith('aff-') || !set.elem) continue;
      out[set.name] = set.elem.flatMap((e) =>
        typeof e === 'object' && typeof e.elem?.val === 'string' && typeof e.elem.expires === 'number' ? [{ ip: e.elem.val, expiresSeconds: e.elem.expires }] : [],
      );
    }
    return out;
  }

  private localnetPath(): string {
    return `/proc/sys/net/ipv4/conf/${this.bridge}/route_localnet`;
  }

  /**
   * host -> 127.0.0.1:nodePort DNATed to a pod leaves through the bridge with a loopback source, which
   * the kernel allows only with route_localnet on that interface (the bridge only, never `all`).
   * bridge.ts sets it when it creates the bridge; this covers a bridge made without it. No bridge yet:
   * nothing to do (it is set on creation).
   */
  private async ensureLocalnet(): Promise<void> {
    let current: string;
    try {
      current = (await readFile(this.localnetPath(), 'utf8')).trim();
    } catch {
      return;
    }
    this.savedLocalnet ??= current;
    if (current !== '1') await writeFile(this.localnetPath(), '1');
  }
}

/** `nft -f -` with a script, or nft with plain arguments. */
async function nft(script: string | string[]) {
  try {
    return typeof script === 'string' ? await runProcess('nft', ['-f', '-'], script) : await runProcess('nft', script);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('nft is missing: the Service proxy needs nftables (apt-get install nftables)');
    throw err;
  }
}
