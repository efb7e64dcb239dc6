import { describe, expect, it } from 'vitest';
import { describeEventsSection, describePod } from '../src/api/printers/describePod.js';
import { describeProbe } from '../src/api/printers/describeContainers.js';
import { NOW, ago, webEvents, webPod } from './printers.fixtures.js';

// `kubectl describe pod web-7d4b9c8f6d-x2kqp` (kubectl v1.32, TZ=UTC) against a stub API server
// serving the fixture. Note the trailing spaces kubectl leaves ("Medium:", "True ").
const KUBECTL_DESCRIBE = [
  "Name:             web-7d4b9c8f6d-x2kqp",
  "Namespace:        default",
  "Priority:         0",
  "Service Account:  default",
  "Node:             tinylet/192.168.1.10",
  "Start Time:       Mon, 23 Nov 2026 17:21:11 +0000",
  "Labels:           app=web",
  "                  pod-template-hash=7d4b9c8f6d",
  "Annotations:      tinylet.dev/note: hello",
  "Status:           Running",
  "IP:               10.88.0.4",
  "IPs:",
  "  IP:  10.88.0.4",
  "Init Containers:",
  "  migrate:",
  "    Container ID:  tinylet://0a1b",
  "    Image:         alpine:3.19",
  "    Image ID:      ",
  "    Port:          <none>",
  "    Host Port:     <none>",
  "    Command:",
  "      sh",
  "      -c",
  "      echo migrating",
  "    State:          Terminated",
  "      Reason:       Completed",
  "      Exit Code:    0",
  "      Started:      Mon, 23 Nov 2026 17:21:16 +0000",
  "      Finished:     Mon, 23 Nov 2026 17:21:17 +0000",
  "    Ready:          True",
  "    Restart Count:  0",
  "    Environment:    <none>",
  "    Mounts:         <none>",
  "Containers:",
  "  web:",
  "    Container ID:   tinylet://2c3d",
  "    Image:          nginx:1.25",
  "    Image ID:       ",
  "    Port:           8080/TCP",
  "    Host Port:      0/TCP",
  "    State:          Running",
  "      Started:      Mon, 23 Nov 2026 18:01:41 +0000",
  "    Last State:     Terminated",
  "      Reason:       Error",
  "      Exit Code:    137",
  "      Started:      Mon, 23 Nov 2026 17:46:41 +0000",
  "      Finished:     Mon, 23 Nov 2026 18:01:31 +0000",
  "    Ready:          True",
  "    Restart Count:  2",
  "    Liveness:       http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3",
  "    Readiness:      tcp-socket :8080 delay=0s timeout=1s period=10s #success=1 #failure=3",
  "    Environment:",
  "      MODE:  prod",
  "    Mounts:",
  "      /cache from cache (rw)",
  "Conditions:",
  "  Type                        Status",
  "  PodReadyToStartContainers   True ",
  "  Initialized                 True ",
  "  Ready                       True ",
  "  ContainersReady             True ",
  "  PodScheduled                True ",
  "Volumes:",
  "  cache:",
  "    Type:        EmptyDir (a temporary directory that shares a pod's lifetime)",
  "    Medium:      ",
  "    SizeLimit:   <unset>",
  "QoS Class:       BestEffort",
  "Node-Selectors:  <none>",
  "Tolerations:     <none>",
  "Events:",
  "  Type     Reason     Age                From               Message",
  "  ----     ------     ----               ----               -------",
  "  Normal   Scheduled  65m                default-scheduler  Successfully assigned default/web-7d4b9c8f6d-x2kqp to tinylet",
  "  Warning  Unhealthy  25m (x6 over 50m)  kubelet            Liveness probe failed: HTTP probe failed with statuscode: 500",
  "  Normal   Killing    25m (x2 over 40m)  kubelet            Container web failed liveness probe, will be restarted",
].join('\n') + '\n';

describe('describePod', () => {
  it('matches kubectl describe byte for byte', () => {
    expect(describePod(webPod, webEvents, NOW, { utcOffsetMinutes: 0 })).toBe(KUBECTL_DESCRIBE);
  });

  it('aligns "Events: <none>" with the block above it (no flush)', () => {
    const out = describePod(webPod, [], NOW, { utcOffsetMinutes: 0 });
    expect(out.endsWith('QoS Class:       BestEffort\nNode-Selectors:  <none>\nTolerations:     <none>\nEvents:          <none>\n')).toBe(true);
  });

  it('prints times in the requested zone as RFC1123Z', () => {
    const out = describePod(webPod, [], NOW, { utcOffsetMinutes: 120 });
    expect(out).toContain('Start Time:       Mon, 23 Nov 2026 19:21:11 +0200\n');
  });

  it('shows Terminating with the deletion grace period, and "<invalid>" for a future deadline', () => {
    const pod = { ...webPod, metadata: { ...webPod.metadata, deletionTimestamp: ago(-30), deletionGracePeriodSeconds: 30 } };
    const out = describePod(pod, [], NOW, { utcOffsetMinutes: 0 });
    expect(out).toContain('Status:                    Terminating (lasts <invalid>)\nTermination Grace Period:  30s\n');
  });

  it('marks a pod without node, IPs or containers statuses like kubectl', () => {
    const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Pending' } };
    const out = describePod(pod, [], NOW, { utcOffsetMinutes: 0 });
    expect(out).toBe(
      [
        'Name:         p',
        'Namespace:    default',
        'Node:         <none>',
        'Labels:       <none>',
        'Annotations:  <none>',
        'Status:       Pending',
        'IP:           ',
        'IPs:          <none>',
        'Containers:',
        '  c:',
        '    Image:        busybox',
        '    Port:         <none>',
        '    Host Port:    <none>',
        '    Environment:  <none>',
        '    Mounts:       <none>',
        'Volumes:          <none>',
        'QoS Class:        BestEffort',
        'Node-Selectors:   <none>',
        'Tolerations:      <none>',
        'Events:           <none>',
        '',
      ].join('\n'),
    );
  });
});

describe('describeEventsSection', () => {
  it('prints <none> without events', () => {
    expect(describeEventsSection([], NOW)).toBe('Events:  <none>\n');
  });
  it('sorts by lastTimestamp and shows "(xN over M)" for repeated events', () => {
    const out = describeEventsSection([...webEvents].reverse(), NOW);
    expect(out).toBe(KUBECTL_DESCRIBE.slice(KUBECTL_DESCRIBE.indexOf('Events:')));
  });
  it('uses eventTime and series for new-style events', () => {
    const out = describeEventsSection(
      [{ metadata: { name: 'e' }, involvedObject: {}, type: 'Warning', reason: 'Unhealthy', message: 'x', reportingComponent: 'kubelet',
        eventTime: ago(500).replace('Z', '.000000Z'), series: { count: 12, lastObservedTime: ago(10).replace('Z', '.000000Z') } }],
      NOW,
    );
    expect(out).toContain('  Warning  Unhealthy  10s (x12 over 8m20s)  kubelet  x\n');
  });
});

describe('describeProbe', () => {
  it('formats each handler like kubectl', () => {
    const t = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
    expect(describeProbe({ exec: { command: ['cat', '/tmp/ready'] }, ...t })).toBe('exec [cat /tmp/ready] delay=0s timeout=1s period=10s #success=1 #failure=3');
    expect(describeProbe({ httpGet: { path: '/healthz', port: 8080, scheme: 'HTTPS', host: 'fe80::1' }, ...t })).toBe(
      'http-get https://[fe80::1]:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3',
    );
    expect(describeProbe({ tcpSocket: { port: 'http' }, ...t })).toBe('tcp-socket :http delay=0s timeout=1s period=10s #success=1 #failure=3');
  });
});
