// The kinds tinylet's API serves, by kind: their group, version, URL resource, scope and kubectl's
// names for them. The one table behind which objects of a file go on (servedKinds.ts), how they are
// checked (validate.ts) and where the CLI sends them (cli/client/resources.ts).
import { type FieldError, required, unsupported } from './fieldErrors.js';

export interface ServedResource {
  kind: string;
  /** `''` for the core group. */
  group: string;
  version: string;
  /** Plural, lower case: the URL segment. */
  resource: string;
  namespaced: boolean;
  /** Whether a file may create it (Events and Nodes can only be read). */
  creatable: boolean;
  /** kubectl's other names: singular and short names. */
  aliases: string[];
}

const r = (kind: string, resource: string, aliases: string[], more: Partial<ServedResource> = {}): ServedResource => ({
  kind,
  group: '',
  version: 'v1',
  resource,
  namespaced: true,
  creatable: true,
  aliases,
  ...more,
});

export const SERVED_RESOURCES: readonly ServedResource[] = [
  r('Pod', 'pods', ['pod', 'po']),
  r('Event', 'events', ['event', 'ev'], { creatable: false }),
  r('Namespace', 'namespaces', ['namespace', 'ns'], { namespaced: false }),
  r('Service', 'services', ['service', 'svc']),
  r('Endpoints', 'endpoints', ['ep']),
  r('EndpointSlice', 'endpointslices', ['endpointslice'], { group: 'discovery.k8s.io' }),
  r('ConfigMap', 'configmaps', ['configmap', 'cm']),
  r('Secret', 'secrets', ['secret']),
];

/** `v1`, `discovery.k8s.io/v1`: the apiVersion objects of this resource carry. */
export const apiVersionOf = (s: ServedResource): string => (s.group ? `${s.group}/${s.version}` : s.version);

/** The served resource of a kind a file may create (Pods, Services, ConfigMaps...), if any. */
export function creatableKind(kind: unknown): ServedResource | undefined {
  return SERVED_RESOURCES.find((s) => s.creatable && s.kind === kind);
}

/** The served kind of an object, other than Pod (those validation passes on to the server). */
export const isServedObjectKind = (kind: unknown): boolean => kind !== 'Pod' && creatableKind(kind) !== undefined;

/** `apiVersion: Required value` or `Unsupported value` when the object's apiVersion is not the one its kind is served in. */
export function apiVersionError(o: Record<string, any>): FieldError | undefined {
  const served = creatableKind(o.kind);
  if (!served) return undefined;
  const want = apiVersionOf(served);
  if (o.apiVersion === undefined || o.apiVersion === '') return required('apiVersion', `${o.kind} is served in ${want}`);
  return o.apiVersion === want ? undefined : unsupported('apiVersion', o.apiVersion, [want]);
}
