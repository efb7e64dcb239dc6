// The pod's world besides pods: the object store and its registry (Services, Endpoints,
// EndpointSlices, ConfigMaps, Secrets), the controllers that keep Endpoints in line with pods, the
// built-in Services, kube-proxy's rules and the cluster DNS. The agent and `tinylet run` both run it,
// so a file with a Service and a ConfigMap behaves the same either way.
import { BootstrapServices, kubeDnsIP } from '../controllers/bootstrapServices.js';
import { DisruptionController } from '../controllers/disruption/disruptionController.js';
import { EndpointsController } from '../controllers/endpoints/endpointsController.js';
import { ensureNamespace, NamespaceController } from '../controllers/namespaces/namespaceController.js';
import type { AgentConfig } from '../kubelet/config.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import { ApiRegistry, STORED_RESOURCES } from '../server/registry/apiRegistry.js';
import { BUILT_IN_NAMESPACES } from '../server/registry/kinds/namespaces.js';
import { ObjectStore, type ApiObject, type LoadedObjects } from '../store/objectStore.js';
import { ServiceNetworking } from './serviceNetworking.js';
import { storeObjectSource, type PodApiAccess } from './storeObjects.js';

export class ObjectWorld {
  readonly objects: ObjectStore;
  readonly registry: ApiRegistry;
  readonly endpoints: EndpointsController;
  /** PodDisruptionBudgets' status, from the kubelet's pods. */
  readonly disruption: DisruptionController;
  readonly namespaces: NamespaceController;
  readonly services: ServiceNetworking;
  private readonly bootstrap: BootstrapServices;
  private unwatchTimelineSlices?: () => void;

  constructor(
    private readonly config: AgentConfig,
    private readonly kubelet: Kubelet,
    loaded: LoadedObjects,
    /** Where the API listens over TCP, for the `kubernetes` Service's Endpoints. */
    api: () => { host: string; port: number } | undefined,
    /** podApi: tokens and certificate of the TCP API (the agent's); without it pods get the placeholder token. */
    opts: { proxyTable?: string; podApi?: PodApiAccess } = {},
  ) {
    const nextRv = () => kubelet.nextResourceVersion();
    this.objects = new ObjectStore(config.stateDir, nextRv, Number(kubelet.resourceVersion), loaded);
    this.registry = new ApiRegistry(config, loaded.byResource);
    kubelet.objects = storeObjectSource(this.objects, opts.podApi);
    this.endpoints = new EndpointsController(config, this.objects, kubelet);
    this.disruption = new DisruptionController(this.objects, kubelet);
    this.namespaces = new NamespaceController(config, this.objects, this.registry, kubelet, STORED_RESOURCES);
    this.services = new ServiceNetworking(config, kubelet.network, this.objects, () => kubelet.listPods(), opts);
    this.bootstrap = new BootstrapServices(config, this.objects, this.registry.serviceAllocations, () => {
      const tcp = api();
      return { api: tcp ? { ip: tcp.host, port: tcp.port } : undefined, dnsIP: this.services.dnsAddress };
    });
  }

  /** Before any pod starts: pods find their Services' endpoints written as they become ready. */
  startControllers(): void {
    this.ensureNamespaces();
    // The pods' timelines note their endpoint in each Service's slices as the slices are written.
    this.unwatchTimelineSlices ??= this.kubelet.timelines.watchEndpointSlices(this.objects);
    this.endpoints.start();
    this.disruption.start();
    this.namespaces.start();
  }

  /** Before pods start: the proxy rules, the DNS server (pods' resolv.conf names it), the built-in Services. */
  async startNetworking(): Promise<void> {
    await this.services.start();
    this.bootstrap.start();
    // Pods started from now on resolve through the kube-dns Service (proxied to the bridge's DNS server).
    if (this.services.dnsAddress) this.kubelet.clusterDNS = kubeDnsIP(this.config);
  }

  /** Once the API listens: the `kubernetes` Service's Endpoints get its address. */
  apiListening(): void {
    this.bootstrap.ensure();
  }

  /**
   * Creates an object of a manifest (`tinylet run`), through its kind's strategy as the API would;
   * throws the API error (ApiError) when it is invalid.
   */
  createFromManifest(object: Record<string, unknown>): ApiObject {
    const [group, version] = typeof object.apiVersion === 'string' && object.apiVersion.includes('/') ? object.apiVersion.split('/', 2) : ['', String(object.apiVersion ?? 'v1')];
    const kind = String(object.kind ?? '');
    const registry = this.registry.byKind(group!, version!, kind);
    if (!registry) throw new Error(`kind ${kind} of ${String(object.apiVersion)} is not served`);
    const meta = (object.metadata ?? {}) as { namespace?: string; name?: string };
    // A Namespace of the file that the run made already for an object before it (as kubectl apply: unchanged).
    const existing = registry.strategy.kind === 'Namespace' && meta.name ? this.objects.get('namespaces', undefined, meta.name) : undefined;
    if (existing) return existing;
    // The run makes the namespaces its file's objects are in (the file needs no Namespace object).
    if (registry.strategy.namespaced) this.ensureNamespace(meta.namespace || 'default');
    return registry.createObject(registry.fromManifest(object, meta.namespace || 'default'), { config: this.config, store: this.objects });
  }

  /**
   * Creates the Namespace object when there is none: the built-in ones, those of `names` (recovered
   * pods), and those of every stored object (a state dir from before Namespaces were objects).
   */
  ensureNamespaces(names: Iterable<string> = []): void {
    const stored = STORED_RESOURCES.flatMap((r) => this.objects.list(r).map((o) => o.metadata?.namespace));
    for (const n of new Set([...BUILT_IN_NAMESPACES, ...stored, ...names])) {
      try {
        if (n) this.ensureNamespace(n);
      } catch (err) {
        console.error(`tinylet: could not create namespace ${n}: ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }

  /** Creates the namespace unless it exists (a static pod's, a `tinylet run` file's). */
  ensureNamespace(name: string): void {
    ensureNamespace(this.registry, { config: this.config, store: this.objects }, name);
  }

  /** Stops writing (the store records nothing more); the networking goes with stopNetworking. */
  stopControllers(): void {
    this.bootstrap.stop();
    this.unwatchTimelineSlices?.();
    this.unwatchTimelineSlices = undefined;
    this.namespaces.stop();
    this.endpoints.stop();
    this.disruption.stop();
    this.objects.freeze();
  }

  async stopNetworking(): Promise<void> {
    await this.services.stop();
  }
}
