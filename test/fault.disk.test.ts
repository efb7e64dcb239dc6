// Disk pressure is a pod problem (issue 10, item 4): log rotation as the kubelet's
// containerLogMaxSize/containerLogMaxFiles, a full state disk (a 4 MiB tmpfs) that costs a pod its
// log lines but not the agent its life, and ephemeral-storage evictions with the kubelet's messages.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { applyRaw, defaultConfig } from '../src/kubelet/config.js';
import { localStorageEviction } from '../src/kubelet/eviction/localStorage.js';
import { formatQuantity, parseQuantity, addQuantity } from '../src/kubelet/eviction/quantity.js';
import { podEphemeralLimit } from '../src/kubelet/eviction/podLimits.js';
import { containerLogPath, podDir } from '../src/kubelet/podPaths.js';
import type { PodWorker } from '../src/kubelet/podWorker.js';
import { CriLogFollower } from '../src/runtime/logs/criFollower.js';
import { RotatingLogFile } from '../src/runtime/logs/logFile.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const running = (p: Pod) => (p.status?.containerStatuses ?? []).length > 0 && p.status!.containerStatuses!.every((s) => s.state?.running);
const logDir = (node: TestNode, w: PodWorker, c: string) => dirname(containerLogPath(node.config.stateDir, w.pod, c, 0));
/** Bytes the process has written (its FIFO writes included): grows only while the agent drains it. */
const wchar = (pid: number) => Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);

describe('disk pressure is a pod problem', () => {
  let node: TestNode | undefined;
  const mounts: string[] = [];
  afterEach(async () => {
    try {
      await node?.kubelet.shutdown({ gracePeriodSeconds: 0 });
    } finally {
      for (const m of mounts.splice(0)) {
        try {
          execFileSync('umount', ['-l', m]);
        } catch (err) {
          console.error(`umount ${m}: ${(err as Error).message}`);
        }
      }
      await node?.cleanup();
      node = undefined;
    }
  });

  it('rotates a chatty container’s log at containerLogMaxSize, keeps containerLogMaxFiles, reads stay current, RSS stays flat', async () => {
    node = testNode({ containerLogMaxSize: '64Ki', containerLogMaxFiles: 2 });
    const w = node.run(
      podManifest('chatty', {
        containers: [
          { name: 'yes', image: 'busybox', command: ['yes', 'y'.repeat(60)] },
          { name: 'counter', image: 'busybox', command: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "line $i"; done'] },
        ],
      }),
    );
    await waitForPod(node, w, running);
    // Follows the counter's file as `kubectl logs -f` does (podLog.ts polls a CriLogFollower).
    const follower = new CriLogFollower(containerLogPath(node.config.stateDir, w.pod, 'counter', 0));
    const followed: number[] = [];
    const readFollowed = () => followed.push(...follower.read().map((l) => Number(l.content.split(' ')[1])));
    const poll = setInterval(() => readFollowed(), 200);
    // The baseline is the warmed-up process (V8's heap grows to its working size in the first
    // seconds of this much I/O): "flat" is no further growth while the logs keep rotating.
    let rssBefore = 0;
    for (let i = 0; i < 8; i++) {
      await sleep(250);
      rssBefore = Math.max(rssBefore, process.memoryUsage().rss);
    }
    let rssMax = rssBefore;
    let maxFiles = 0;
    let maxSize = 0;
    const names = new Set<string>();
    for (let i = 0; i < 16; i++) {
      await sleep(250);
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      for (const c of ['yes', 'counter']) {
        const files = readdirSync(logDir(node, w, c)).filter((f) => f.startsWith('0.log'));
        files.forEach((f) => names.add(f));
        maxFiles = Math.max(maxFiles, files.length);
        for (const f of files) {
          try {
            maxSize = Math.max(maxSize, statSync(join(logDir(node, w, c), f)).size);
          } catch {
            /* rotated away meanwhile */
          }
        }
      }
    }
    clearInterval(poll);
    // The current file holds the latest lines, in order. As with the kubelet, a read just after a
    // rotation finds a new, nearly empty file: read again.
    let lines: number[] = [];
    for (let i = 0; i < 50 && lines.length <= 100; i++) {
      if (i > 0) await sleep(1);
      lines = logOf(node, w, 'counter').map((l) => Number(l.split(' ')[1]));
    }
    // The follower catches up with the current file (on a loaded machine it may be a rotation behind).
    for (let i = 0; i < 40; i++) {
      readFollowed();
      if ((followed.at(-1) ?? 0) >= lines[0]!) break;
      await sleep(50);
    }
    expect(running(w.pod)).toBe(true);
    expect(maxFiles).toBeLessThanOrEqual(2);
    // Rotated before a record would cross the limit: never over it.
    expect(maxSize).toBeLessThanOrEqual(64 * 1024);
    // Many rotations happened, named as the kubelet names them (`.<n>` within one second).
    expect(names.size).toBeGreaterThan(10);
    for (const n of names) expect(n).toMatch(/^0\.log(\.\d{8}-\d{6}(\.\d+)?)?$/);
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.every((n, i) => i === 0 || n === lines[i - 1]! + 1)).toBe(true);
    expect(lines.at(-1)!).toBeGreaterThan(10_000);
    // The follower went on across rotations (lines only ever increase; rotations between polls lose some).
    expect(followed.length).toBeGreaterThan(1000);
    expect(followed.every((n, i) => i === 0 || n > followed[i - 1]!)).toBe(true);
    // ...up to the current file's lines.
    expect(followed.at(-1)!).toBeGreaterThanOrEqual(lines[0]!);
    console.log(`chatty: ${names.size} log files seen, counter at ${lines.at(-1)}, RSS ${rssBefore >> 20} -> max ${rssMax >> 20} MiB`);
    expect(rssMax - rssBefore, `RSS ${rssBefore >> 20} MiB -> ${rssMax >> 20} MiB`).toBeLessThan(64 << 20);
  });

  it('a full state disk (4 MiB tmpfs) drops log lines with LogWriteFailed; the container keeps running and being drained; a new pod fails as a pod', async () => {
    node = testNode();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tinylet-test-full', node.config.stateDir]);
    mounts.push(node.config.stateDir);
    const w = node.run(podManifest('filler', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'while :; do echo "filling the disk with this line"; done'] }] }));
    await waitForPod(node, w, running);
    await waitUntil(() => eventsOf(node!, w).some((e) => e.reason === 'LogWriteFailed'), 15_000);
    const dropped = eventsOf(node, w).find((e) => e.reason === 'LogWriteFailed')!;
    expect(dropped.message).toMatch(/^Dropped \d+ log line\(s\) of container c \(\d+ since it started\): ENOSPC: no space left on device/);
    expect(dropped.fieldPath).toBe('spec.containers{c}');
    // Still running, and its writes still go through: the agent keeps reading the FIFO.
    const pid = w.records[0]!.process!.pid;
    const before = wchar(pid);
    await sleep(1000);
    expect(wchar(pid) - before).toBeGreaterThan(100_000);
    expect(running(w.pod), JSON.stringify(w.pod.status?.containerStatuses)).toBe(true);
    // The log file holds what fit, cut at a record boundary (once a failed attempt has been cut back:
    // the writer tries again every second, and a read may land between a short write and its cut).
    const logFile = containerLogPath(node.config.stateDir, w.pod, 'c', 0);
    let text = readFileSync(logFile, 'utf8');
    for (let i = 0; i < 40 && !text.endsWith('\n'); i++) {
      await sleep(50);
      text = readFileSync(logFile, 'utf8');
    }
    expect(text.endsWith('\n')).toBe(true);
    expect(logOf(node, w, 'c').at(-1)).toBe('filling the disk with this line');
    // A second pod on the full disk: its failure is its own (its service account volume, sandbox files or container start).
    const w2 = node.run(podManifest('second', { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitUntil(() => {
      const st = w2.pod.status?.containerStatuses?.[0]?.state;
      return eventsOf(node!, w2).some((e) => e.reason === 'FailedCreatePodSandBox' || e.reason === 'FailedMount') || st?.terminated?.reason === 'StartError' || st?.running !== undefined;
    }, 15_000);
    expect(running(w.pod), JSON.stringify(w.pod.status?.containerStatuses)).toBe(true);
  });

  it('keeps the logs of the running instance and the previous one only, as the kubelet’s container GC does', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 100, maxContainerRestartPeriodMs: 200 } });
    const script = 'n=$(cat /d/n 2>/dev/null || echo 0); echo $((n+1)) > /d/n; echo run$n; [ $n -ge 4 ] && exec sleep 3600; exit 1';
    const w = node.run(
      podManifest('crasher', {
        volumes: [{ name: 'd', emptyDir: {} }],
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', script], volumeMounts: [{ name: 'd', mountPath: '/d' }] }],
      }),
    );
    await waitForPod(node, w, (p) => running(p) && p.status!.containerStatuses![0]!.restartCount === 4);
    await waitUntil(() => readdirSync(logDir(node!, w, 'c')).sort().join() === '3.log,4.log', 5000);
    expect(logOf(node, w, 'c', 3)).toEqual(['run3']);
  });

  it('evicts a pod over its ephemeral-storage limit or an emptyDir over its sizeLimit, with the kubelet’s messages', async () => {
    node = testNode({ evictionMonitoringPeriodMs: 300 });
    const fill = (path: string, mib: number) => ['sh', '-c', `dd if=/dev/zero of=${path} bs=1M count=${mib} 2>/dev/null; sleep 3600`];
    const limit = (q: string) => ({ limits: { 'ephemeral-storage': q } });
    const pod = node.run(podManifest('es-pod', { containers: [{ name: 'c', image: 'busybox', command: fill('/big', 4), resources: limit('1Mi') }] }));
    const container = node.run(
      podManifest('es-container', {
        containers: [
          { name: 'c', image: 'busybox', command: fill('/big', 4), resources: limit('1Mi') },
          { name: 'quiet', image: 'busybox', command: ['sleep', '3600'], resources: limit('10Mi') },
        ],
      }),
    );
    const emptyDir = node.run(
      podManifest('es-emptydir', {
        volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Mi' } }],
        containers: [{ name: 'c', image: 'busybox', command: fill('/data/big', 2), volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      }),
    );
    const under = node.run(podManifest('es-under', { containers: [{ name: 'c', image: 'busybox', command: fill('/small', 1), resources: limit('4Mi') }] }));
    const expected: [PodWorker, string][] = [
      [pod, 'Pod ephemeral local storage usage exceeds the total limit of containers 1Mi. '],
      [container, 'Container c exceeded its local ephemeral storage limit "1Mi". '],
      [emptyDir, 'Usage of EmptyDir volume "data" exceeds the limit "1Mi". '],
    ];
    const started = Date.now();
    for (const [w, message] of expected) {
      const p = await waitForPod(node, w, (x) => x.status?.phase === 'Failed' && (x.status.containerStatuses ?? []).every((s) => s.state?.terminated), 15_000);
      expect(p.status!.reason).toBe('Evicted');
      expect(p.status!.message).toBe(message);
      expect(eventsOf(node, w).filter((e) => e.reason === 'Evicted').map((e) => e.message)).toEqual([message]);
      expect(p.status!.containerStatuses!.every((s) => s.restartCount === 0)).toBe(true);
    }
    // Within the period, the 1 s grace and the 2 s minimum before SIGKILL (sh as PID 1 ignores SIGTERM).
    expect(Date.now() - started).toBeLessThan(8000);
    expect(running(under.pod)).toBe(true);
    expect(eventsOf(node, under).some((e) => e.reason === 'Evicted')).toBe(false);
    // An evicted pod's writable layers and emptyDirs are gone with its sandbox.
    await waitUntil(() => !existsSync(join(podDir(node!.config.stateDir, emptyDir.pod), 'volumes')), 5000);
  });
});

describe('disk pieces', () => {
  it('prints quantities as resource.Quantity.String() does', () => {
    const f = (q: string) => formatQuantity(parseQuantity(q)!);
    expect(['1Mi', '1024Ki', '1.5Gi', '1000000', '2000k', '500m', '1e6', '100M', '1048576', '512', '0.5Ki'].map(f)).toEqual([
      '1Mi', '1Mi', '1536Mi', '1M', '2M', '500m', '1e6', '100M', '1048576', '512', '512',
    ]);
    expect(formatQuantity(addQuantity(parseQuantity('500Mi'), parseQuantity('1Gi'))!)).toBe('1524Mi');
  });

  it('computes the pod limit as PodLimits does and checks emptyDir first, then the pod, then each container', () => {
    const c = (name: string, q?: string, extra = {}) => ({ name, image: 'busybox', ...(q ? { resources: { limits: { 'ephemeral-storage': q } } } : {}), ...extra });
    const pod: Pod = {
      metadata: { name: 'p' },
      spec: { initContainers: [c('init', '8Mi'), c('side', '1Mi', { restartPolicy: 'Always' })], containers: [c('a', '2Mi'), c('b', '3Mi'), c('none')], volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Mi' } }] },
    };
    // app 2Mi + 3Mi + sidecar 1Mi = 6Mi, but the plain init container needs 8Mi (+ nothing started before it).
    expect(formatQuantity(podEphemeralLimit(pod)!)).toBe('8Mi');
    const stats = (a: number, v: number, total: number) => ({ containers: [{ name: 'a', rootfs: a, logs: 0 }], volumes: new Map([['v', v]]), ephemeral: total });
    const mi = 1 << 20;
    expect(localStorageEviction(pod, stats(0, 2 * mi, 9 * mi))).toBe('Usage of EmptyDir volume "v" exceeds the limit "1Mi". ');
    expect(localStorageEviction(pod, stats(3 * mi, 0, 9 * mi))).toBe('Pod ephemeral local storage usage exceeds the total limit of containers 8Mi. ');
    expect(localStorageEviction(pod, stats(3 * mi, 0, 3 * mi))).toBe('Container a exceeded its local ephemeral storage limit "2Mi". ');
    expect(localStorageEviction(pod, stats(2 * mi, mi, 8 * mi))).toBeUndefined();
  });

  it('validates the config keys as the kubelet does', () => {
    const apply = (raw: Record<string, unknown>) => {
      const cfg = defaultConfig();
      applyRaw(cfg, raw, 'cfg.yaml');
      return cfg;
    };
    expect(defaultConfig()).toMatchObject({ containerLogMaxSize: '10Mi', containerLogMaxFiles: 5, evictionMonitoringPeriodMs: 10_000 });
    expect(apply({ containerLogMaxSize: '64Ki', containerLogMaxFiles: 2, evictionMonitoringPeriod: '500ms' })).toMatchObject({ containerLogMaxSize: '64Ki', containerLogMaxFiles: 2, evictionMonitoringPeriodMs: 500 });
    expect(() => apply({ containerLogMaxFiles: 1 })).toThrow('cfg.yaml: containerLogMaxFiles: invalid MaxFiles 1, must be > 1');
    expect(() => apply({ containerLogMaxSize: '10 MB' })).toThrow(/containerLogMaxSize: must be a quantity/);
    expect(() => apply({ evictionMonitoringPeriod: 'soon' })).toThrow(/evictionMonitoringPeriod: invalid duration/);
  });

  it('a log file on a device that is always full (/dev/full) drops and counts, never throws', async () => {
    const dropped: [number, string][] = [];
    const file = new RotatingLogFile('/dev/full', { onDrop: (n, err) => dropped.push([n, (err as NodeJS.ErrnoException).code!]) });
    file.append(['a\n', 'b\n']);
    await file.close();
    expect(dropped).toEqual([[2, 'ENOSPC']]);
    file.append(['c\n']);
    expect(dropped.length).toBe(2);
  });

  it('a follower finishes the rotated file, then goes on with the new one (ReadLogs reopening on Create)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinylet-follow-'));
    try {
      const path = join(dir, '0.log');
      // 46 bytes a record: two fit in 100 bytes.
      const rec = (i: number) => `2024-01-01T00:00:00.000000000Z stdout F line${i}\n`;
      const write = async (...records: string[]) => {
        const file = new RotatingLogFile(path, { rotation: { maxSize: 100, maxFiles: 3 } });
        file.append(records);
        await file.close();
      };
      const follower = new CriLogFollower(path);
      const read = () => follower.read().map((l) => l.content);
      await write(rec(0));
      expect(read()).toEqual(['line0']);
      await write(rec(1), rec(2)); // line1 fills the file, line2 starts a new one
      expect(readdirSync(dir).length).toBe(2);
      expect(read()).toEqual(['line1', 'line2']);
      await write(rec(3), rec(4), rec(5)); // line3 ends the file being read, line4 starts the next
      expect(read()).toEqual(['line3', 'line4', 'line5']);
      // Three rotations between two reads: the file being read was compressed meanwhile, its lines are lost.
      await write(rec(6), rec(7), rec(8), rec(9), rec(10));
      expect(read()).toEqual(['line10']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps at most maxFiles per log: the newest rotated file plain, older ones gzipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinylet-rot-'));
    try {
      const path = join(dir, '0.log');
      const file = new RotatingLogFile(path, { rotation: { maxSize: 100, maxFiles: 4 } });
      for (let i = 0; i < 20; i++) file.append([`${String(i).padStart(48, '.')}\n`]);
      await file.close();
      const names = readdirSync(dir).sort();
      expect(names.length).toBe(4);
      expect(names.filter((n) => n.endsWith('.gz')).length).toBe(2);
      expect(readFileSync(path, 'utf8')).toBe(`${'18'.padStart(48, '.')}\n${'19'.padStart(48, '.')}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
