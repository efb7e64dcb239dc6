/** kubectl's resource names and short names, for the three kinds tinylet serves. */
export type ResourceName = 'pods' | 'events' | 'namespaces';

const ALIASES: Record<string, ResourceName> = {
  pod: 'pods', pods: 'pods', po: 'pods',
  event: 'events', events: 'events', ev: 'events',
  namespace: 'namespaces', namespaces: 'namespaces', ns: 'namespaces',
};

export function resolveResource(word: string): { resource: ResourceName; name?: string } {
  const [kind, name] = word.includes('/') ? word.split('/', 2) : [word, undefined];
  const resource = ALIASES[kind!.toLowerCase()];
  if (!resource) throw new Error(`the server doesn't have a resource type "${kind}"`);
  return { resource, name };
}

export const KIND: Record<ResourceName, 'Pod' | 'Event' | 'Namespace'> = { pods: 'Pod', events: 'Event', namespaces: 'Namespace' };

/** The API path of a resource (collection when no name), in a namespace unless cluster-wide. */
export function resourcePath(resource: ResourceName, namespace: string | undefined, name?: string): string {
  const base = resource === 'namespaces' || !namespace ? `/api/v1/${resource}` : `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}`;
  return name ? `${base}/${encodeURIComponent(name)}` : base;
}
