// Discovery documents, so kubectl can map "pods", "po", "ev", "ns" to URLs and verbs.
import type { RequestContext } from './context.js';
import { discoveryResources } from './registry/apiRegistry.js';
import { AUTHORIZATION_GROUP, AUTHORIZATION_RESOURCES } from './handlers/accessReviews.js';
import { sendJson } from './respond.js';
import { KUBERNETES_VERSION, versionParts } from './version.js';
import { byCodeUnit } from '../api/stringOrder.js';

const resource = (name: string, kind: string, namespaced: boolean, verbs: string[], extra: Record<string, unknown> = {}) => ({
  name,
  singularName: '',
  namespaced,
  kind,
  verbs,
  ...extra,
});

export const CORE_RESOURCES = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    resource('events', 'Event', true, ['get', 'list', 'watch'], { shortNames: ['ev'] }),
    // pods and pods/status come from the registry (registry/kinds/pods.ts); these two are served apart.
    // The eviction subresource (server/eviction): kubectl drain evicts through it when discovery lists it with its group and version.
    resource('pods/eviction', 'Eviction', true, ['create'], { group: 'policy', version: 'v1' }),
    resource('pods/attach', 'PodAttachOptions', true, ['create', 'get']),
    // kubectl debug adds an ephemeral container through it (registry/kinds/pods.ts).
    resource('pods/ephemeralcontainers', 'Pod', true, ['get', 'patch', 'update']),
    resource('pods/exec', 'PodExecOptions', true, ['create', 'get']),
    resource('pods/log', 'Pod', true, ['get']),
  ],
};

export const METRICS_GROUP = {
  name: 'metrics.k8s.io',
  versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }],
  preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' },
};

export const METRICS_RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'metrics.k8s.io/v1beta1',
  resources: [resource('nodes', 'NodeMetrics', false, ['get', 'list']), resource('pods', 'PodMetrics', true, ['get', 'list'])],
};

export function serveDiscovery(ctx: RequestContext, path: string): boolean {
  const send = (body: unknown) => sendJson(ctx.res, 200, body);
  switch (path) {
    case '/api':
      send({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
      return true;
    case '/api/v1':
      send(coreResources(ctx));
      return true;
    case '/apis':
      send({ kind: 'APIGroupList', apiVersion: 'v1', groups: [...registryGroups(ctx), AUTHORIZATION_GROUP, METRICS_GROUP] });
      return true;
    case '/apis/authorization.k8s.io':
      send({ kind: 'APIGroup', apiVersion: 'v1', ...AUTHORIZATION_GROUP });
      return true;
    case '/apis/authorization.k8s.io/v1':
      send(AUTHORIZATION_RESOURCES);
      return true;
    case '/apis/metrics.k8s.io':
      send({ kind: 'APIGroup', apiVersion: 'v1', ...METRICS_GROUP });
      return true;
    case '/apis/metrics.k8s.io/v1beta1':
      send(METRICS_RESOURCES);
      return true;
    case '/version':
      send({
        ...versionParts(),
        gitVersion: KUBERNETES_VERSION,
        gitCommit: '',
        gitTreeState: 'clean',
        buildDate: '',
        goVersion: `node${process.versions.node}`,
        compiler: 'tinylet',
        platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      });
      return true;
    case '/healthz':
    case '/readyz':
    case '/livez':
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      ctx.res.end('ok');
      return true;
    default:
      return serveRegistryDiscovery(ctx, path);
  }
}

function coreResources(ctx: RequestContext): object {
  const resources = [...CORE_RESOURCES.resources, ...discoveryResources(ctx.services.registry.strategies('', 'v1'))] as { name: string }[];
  return { ...CORE_RESOURCES, resources: resources.sort((a, b) => byCodeUnit(a.name, b.name)) };
}

function registryGroups(ctx: RequestContext): object[] {
  return ctx.services.registry.groups().map(({ group, version }) => {
    const gv = { groupVersion: `${group}/${version}`, version };
    return { name: group, versions: [gv], preferredVersion: gv };
  });
}

/** /apis/<group> and /apis/<group>/<version> of the registry's groups. */
function serveRegistryDiscovery(ctx: RequestContext, path: string): boolean {
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (!m) return false;
  const group = ctx.services.registry.groups().find((g) => g.group === m[1]);
  if (!group) return false;
  if (!m[2]) {
    const gv = { groupVersion: `${group.group}/${group.version}`, version: group.version };
    sendJson(ctx.res, 200, { kind: 'APIGroup', apiVersion: 'v1', name: group.group, versions: [gv], preferredVersion: gv });
    return true;
  }
  if (m[2] !== group.version) return false;
  sendJson(ctx.res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group.group}/${group.version}`, resources: discoveryResources(ctx.services.registry.strategies(group.group, group.version)) });
  return true;
}
