// kubectl's resource names (plural, singular, short names, `name.group`) for the kinds tinylet
// serves, and their API paths (/api/v1/... for the core group, /apis/GROUP/VERSION/... otherwise).
import { apiVersionOf, SERVED_RESOURCES, type ServedResource } from '../../api/servedResources.js';

export type ResourceName = 'pods' | 'events' | 'namespaces' | 'services' | 'endpoints' | 'endpointslices' | 'configmaps' | 'secrets';

const BY_RESOURCE = new Map(SERVED_RESOURCES.map((s) => [s.resource as ResourceName, s]));

const ALIASES = new Map<string, ResourceName>(SERVED_RESOURCES.flatMap((s) => [s.resource, ...s.aliases].map((a) => [a, s.resource as ResourceName] as const)));

/** The table entry of a resource. */
export function resourceInfo(resource: ResourceName): ServedResource {
  return BY_RESOURCE.get(resource)!;
}

/** The resource a word names: `svc`, `services`, `service/web`, `endpointslices.discovery.k8s.io`. */
export function resolveResource(word: string): { resource: ResourceName; name?: string } {
  const [type, name] = word.includes('/') ? word.split('/', 2) : [word, undefined];
  const lower = type!.toLowerCase();
  const dot = lower.indexOf('.');
  const resource = ALIASES.get(dot < 0 ? lower : lower.slice(0, dot));
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  if (!resource || (group !== undefined && group !== resourceInfo(resource).group)) throw new Error(`the server doesn't have a resource type "${type}"`);
  return { resource, name };
}

/** The resource objects of this kind are created in (served kinds a file may hold: Pod, Service...). */
export function resourceForKind(kind: unknown): ResourceName | undefined {
  return SERVED_RESOURCES.find((s) => s.creatable && s.kind === kind)?.resource as ResourceName | undefined;
}

export const KIND = Object.fromEntries(SERVED_RESOURCES.map((s) => [s.resource, s.kind])) as Record<ResourceName, string>;

/** `v1`, `discovery.k8s.io/v1`. */
export const apiVersionFor = (resource: ResourceName): string => apiVersionOf(resourceInfo(resource));

/** The API path of a resource (collection when no name), in a namespace unless cluster-wide. */
export function resourcePath(resource: ResourceName, namespace: string | undefined, name?: string): string {
  const info = resourceInfo(resource);
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const base = info.namespaced && namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${resource}` : `${root}/${resource}`;
  return name ? `${base}/${encodeURIComponent(name)}` : base;
}

/** How kubectl names a kind in its messages: `pod`, `service`, `endpointslice.discovery.k8s.io`. */
export function kindRef(resource: ResourceName): string {
  const info = resourceInfo(resource);
  const kind = info.kind.toLowerCase();
  return info.group ? `${kind}.${info.group}` : kind;
}

/** `pod/web`, `service/web`, `endpointslice.discovery.k8s.io/web` (apply's and create's lines). */
export const objectRef = (resource: ResourceName, name: string): string => `${kindRef(resource)}/${name}`;
