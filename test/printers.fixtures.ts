// Shared fixtures for the printer tests. The expected strings in the tests were produced by a
// real kubectl (v1.32) talking to a stub API server that served these objects at NOW.
import type { Event, Pod } from '../src/api/types.js';

export const NOW = 1795458401000; // Mon, 23 Nov 2026 18:26:41 UTC
export const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');

export const webPod: Pod = {
  metadata: {
    name: 'web-7d4b9c8f6d-x2kqp', namespace: 'default', uid: 'u1', creationTimestamp: ago(3930),
    labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' }, annotations: { 'tinylet.dev/note': 'hello' },
  },
  spec: {
    nodeName: 'tinylet', priority: 0, serviceAccountName: 'default', restartPolicy: 'Always',
    initContainers: [{ name: 'migrate', image: 'alpine:3.19', command: ['sh', '-c', 'echo migrating'] }],
    containers: [{
      name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 8080, protocol: 'TCP' }],
      livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 3, timeoutSeconds: 1, periodSeconds: 3, successThreshold: 1, failureThreshold: 3 },
      readinessProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      env: [{ name: 'MODE', value: 'prod' }],
      volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
    }],
    volumes: [{ name: 'cache', emptyDir: {} }],
  },
  status: {
    phase: 'Running', hostIP: '192.168.1.10', podIP: '10.88.0.4', podIPs: [{ ip: '10.88.0.4' }], startTime: ago(3930), qosClass: 'BestEffort',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True' })),
    initContainerStatuses: [{
      name: 'migrate', ready: true, restartCount: 0, image: 'alpine:3.19', imageID: '', containerID: 'tinylet://0a1b',
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(3925), finishedAt: ago(3924) } },
    }],
    containerStatuses: [{
      name: 'web', ready: true, started: true, restartCount: 2, image: 'nginx:1.25', imageID: '', containerID: 'tinylet://2c3d',
      state: { running: { startedAt: ago(1500) } },
      lastState: { terminated: { exitCode: 137, reason: 'Error', startedAt: ago(2400), finishedAt: ago(1510) } },
    }],
  },
};

export const failedPod: Pod = {
  metadata: { name: 'job-x', namespace: 'batch', uid: 'u2', creationTimestamp: ago(90000) },
  spec: { nodeName: 'tinylet', containers: [{ name: 'c', image: 'busybox' }] },
  status: {
    phase: 'Failed', podIP: '10.88.0.9', podIPs: [{ ip: '10.88.0.9' }],
    containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(89990), finishedAt: ago(89980) } } }],
  },
};

const podRef = { kind: 'Pod', namespace: 'default', name: 'web-7d4b9c8f6d-x2kqp', uid: 'u1', apiVersion: 'v1' };
export const webEvents: Event[] = [
  {
    metadata: { name: 'web-7d4b9c8f6d-x2kqp.17c1', namespace: 'default' }, involvedObject: podRef, reason: 'Scheduled',
    message: 'Successfully assigned default/web-7d4b9c8f6d-x2kqp to tinylet', source: { component: 'default-scheduler' },
    firstTimestamp: ago(3930), lastTimestamp: ago(3930), count: 1, type: 'Normal',
  },
  {
    metadata: { name: 'web-7d4b9c8f6d-x2kqp.17c2', namespace: 'default' }, involvedObject: { ...podRef, fieldPath: 'spec.containers{web}' },
    reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500', source: { component: 'kubelet', host: 'tinylet' },
    firstTimestamp: ago(3000), lastTimestamp: ago(1530), count: 6, type: 'Warning',
  },
  {
    metadata: { name: 'web-7d4b9c8f6d-x2kqp.17c3', namespace: 'default' }, involvedObject: { ...podRef, fieldPath: 'spec.containers{web}' },
    reason: 'Killing', message: 'Container web failed liveness probe, will be restarted', source: { component: 'kubelet', host: 'tinylet' },
    firstTimestamp: ago(2410), lastTimestamp: ago(1520), count: 2, type: 'Normal',
  },
];
