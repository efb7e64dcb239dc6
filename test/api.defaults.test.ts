import { describe, expect, it } from 'vitest';
import { defaultPod, defaultPullPolicy, defaultService, generateName, rfc3339 } from '../src/api/defaults.js';
import type { Pod, Service } from '../src/api/types.js';

const NOW = new Date('2025-03-04T05:06:07.890Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const minimal = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
});

describe('defaultPod', () => {
  it('fills in what the API server would', () => {
    const pod = defaultPod(minimal(), NOW);
    expect(pod).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', uid: expect.stringMatching(UUID), creationTimestamp: '2025-03-04T05:06:07Z' },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            imagePullPolicy: 'Always',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            resources: {},
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        securityContext: {},
        enableServiceLinks: true,
      },
      status: { phase: 'Pending' },
    });
  });

  it('does not modify its input and keeps what is set', () => {
    const input: Pod = { ...minimal(), status: { phase: 'Running' } };
    input.metadata = { name: 'web', namespace: 'prod', uid: 'u-1', creationTimestamp: '2020-01-01T00:00:00Z' };
    input.spec!.restartPolicy = 'Never';
    input.spec!.terminationGracePeriodSeconds = 0;
    const snapshot = structuredClone(input);
    const pod = defaultPod(input, NOW);
    expect(input).toEqual(snapshot);
    expect(pod.metadata).toEqual(input.metadata);
    expect(pod.spec!.restartPolicy).toBe('Never');
    expect(pod.spec!.terminationGracePeriodSeconds).toBe(0);
    expect(pod.status).toEqual({ phase: 'Running' });
  });

  it('gives each pod its own uid', () => {
    expect(defaultPod(minimal()).metadata!.uid).not.toBe(defaultPod(minimal()).metadata!.uid);
  });

  it('turns generateName into a name with 5 random characters', () => {
    const pod = defaultPod({ ...minimal(), metadata: { generateName: 'web-' } });
    expect(pod.metadata!.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(generateName('x'.repeat(70))).toHaveLength(63);
  });

  it('defaults probes except initialDelaySeconds, and keeps explicit zeros for validation', () => {
    const pod = minimal();
    pod.spec!.containers[0]!.livenessProbe = { httpGet: { port: 80 } };
    pod.spec!.containers[0]!.readinessProbe = { exec: { command: ['true'] }, periodSeconds: 0 };
    pod.spec!.containers[0]!.lifecycle = { preStop: { httpGet: { port: 80, path: '/quit' } } };
    const c = defaultPod(pod).spec!.containers[0]!;
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.readinessProbe!.periodSeconds).toBe(0);
    expect(c.lifecycle!.preStop!.httpGet).toEqual({ port: 80, path: '/quit', scheme: 'HTTP' });
  });

  it('defaults init containers like app containers', () => {
    const pod = minimal();
    pod.spec!.initContainers = [{ name: 'init', image: 'busybox:1.28' }];
    expect(defaultPod(pod).spec!.initContainers![0]).toEqual({
      name: 'init',
      image: 'busybox:1.28',
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
    });
  });

  it('copies limits into missing requests', () => {
    const pod = minimal();
    pod.spec!.containers[0]!.resources = { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m' } };
    expect(defaultPod(pod).spec!.containers[0]!.resources).toEqual({ limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
  });

  it('sets the fieldRef apiVersion and, with hostNetwork, hostPort', () => {
    const pod = minimal();
    pod.spec!.hostNetwork = true;
    pod.spec!.containers[0]!.env = [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
    const c = defaultPod(pod).spec!.containers[0]!;
    expect(c.env![0]!.valueFrom!.fieldRef).toEqual({ apiVersion: 'v1', fieldPath: 'metadata.name' });
    expect(c.ports![0]).toEqual({ containerPort: 80, hostPort: 80, protocol: 'TCP' });
  });

  it('defaults volumes: emptyDir stays {}, hostPath type is "", no source means emptyDir', () => {
    const pod = minimal();
    pod.spec!.volumes = [{ name: 'a', emptyDir: {} }, { name: 'b', hostPath: { path: '/var/log' } }, { name: 'c' }];
    expect(defaultPod(pod).spec!.volumes).toEqual([
      { name: 'a', emptyDir: {} },
      { name: 'b', hostPath: { path: '/var/log', type: '' } },
      { name: 'c', emptyDir: {} },
    ]);
  });

  it('leaves mistyped fields for validation to report', () => {
    const bad = { apiVersion: 'v1', kind: 'Pod', metadata: 'web', spec: { containers: 'nginx' } } as unknown as Pod;
    const pod = defaultPod(bad) as unknown as Record<string, unknown>;
    expect(pod.metadata).toBe('web');
    expect((pod.spec as Record<string, unknown>).containers).toBe('nginx');
  });
});

describe('defaultPullPolicy', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['busybox:1.28', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ])('%s -> %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});

describe('defaultService', () => {
  it('fills ports, type and affinity, and drops affinity config without affinity', () => {
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'init-demo' },
      spec: { type: 'NodePort', selector: { app: 'x' }, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } }, ports: [{ port: 8088 }, { port: 80, targetPort: 'http' }] },
    };
    const s = defaultService(svc, NOW);
    expect(s.metadata).toEqual({ name: 'init-demo', namespace: 'default', uid: expect.stringMatching(UUID), creationTimestamp: rfc3339(NOW) });
    expect(s.spec).toEqual({
      type: 'NodePort',
      selector: { app: 'x' },
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      ports: [
        { port: 8088, protocol: 'TCP', targetPort: 8088 },
        { port: 80, protocol: 'TCP', targetPort: 'http' },
      ],
    });
  });

  it('makes a ClusterIP service by default', () => {
    const s = defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} });
    expect(s.spec).toEqual({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' });
  });
});
