// kubectl's resource names for the kinds tinylet serves, and their API paths.
import { describe, expect, it } from 'vitest';
import { kindRef, objectRef, resolveResource, resourceForKind, resourcePath } from '../src/cli/client/resources.js';

describe('resolveResource: kubectl\'s names', () => {
  it('plural, singular and short names, with or without /NAME', () => {
    const cases: [string, string][] = [
      ['svc', 'services'], ['service', 'services'], ['services', 'services'],
      ['cm', 'configmaps'], ['configmap', 'configmaps'], ['configmaps', 'configmaps'],
      ['secret', 'secrets'], ['secrets', 'secrets'],
      ['ep', 'endpoints'], ['endpoints', 'endpoints'],
      ['endpointslice', 'endpointslices'], ['endpointslices', 'endpointslices'],
      ['po', 'pods'], ['ev', 'events'], ['ns', 'namespaces'], ['SVC', 'services'],
    ];
    for (const [word, resource] of cases) expect(resolveResource(word), word).toEqual({ resource, name: undefined });
    expect(resolveResource('service/web')).toEqual({ resource: 'services', name: 'web' });
  });

  it('`name.group` only with the resource\'s own group', () => {
    expect(resolveResource('endpointslices.discovery.k8s.io/x')).toEqual({ resource: 'endpointslices', name: 'x' });
    expect(() => resolveResource('endpointslices.apps')).toThrow('the server doesn\'t have a resource type "endpointslices.apps"');
    expect(() => resolveResource('deploy')).toThrow('the server doesn\'t have a resource type "deploy"');
  });
});

describe('resourcePath and the names in messages', () => {
  it('core kinds under /api/v1, EndpointSlices under /apis/discovery.k8s.io/v1, Namespaces cluster-wide', () => {
    expect(resourcePath('services', 'shop', 'web')).toBe('/api/v1/namespaces/shop/services/web');
    expect(resourcePath('configmaps', undefined)).toBe('/api/v1/configmaps');
    expect(resourcePath('endpointslices', 'default')).toBe('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices');
    expect(resourcePath('endpointslices', undefined, 'a b')).toBe('/apis/discovery.k8s.io/v1/endpointslices/a%20b');
    expect(resourcePath('namespaces', 'ignored', 'default')).toBe('/api/v1/namespaces/default');
  });

  it('a file\'s kind to its resource: only what a file may create', () => {
    expect(['Pod', 'Namespace', 'Service', 'Endpoints', 'EndpointSlice', 'ConfigMap', 'Secret'].map(resourceForKind)).toEqual(['pods', 'namespaces', 'services', 'endpoints', 'endpointslices', 'configmaps', 'secrets']);
    expect([resourceForKind('Event'), resourceForKind('Deployment')]).toEqual([undefined, undefined]);
  });

  it('kubectl\'s `service/web` and `endpointslice.discovery.k8s.io "x"`', () => {
    expect(objectRef('services', 'web')).toBe('service/web');
    expect(objectRef('endpoints', 'web')).toBe('endpoints/web');
    expect(objectRef('endpointslices', 'web-1')).toBe('endpointslice.discovery.k8s.io/web-1');
    expect(kindRef('configmaps')).toBe('configmap');
  });
});
