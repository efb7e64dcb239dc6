// The classic pod-lifecycle manifests users paste in (test/examples/, kept exactly as the study notes
// have them), each run the way the README says, `tinylet run FILE --for D`, through the built CLI,
// and checked for what it is meant to show. Where an example cannot work on one node without a
// network (no Services, no cluster DNS, no internet from pods), the test asserts what a user sees
// instead, and says so.
import { execa } from 'execa';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAgentConfig } from './helpers/testKubelet.js';

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
const examples = join(import.meta.dirname, 'examples');
const dir = mkdtempSync(join(tmpdir(), 'tinylet-examples-'));
/** counter.yaml's hostPath: removed afterwards only if this test made it. */
const counterHostDir = '/root/k8s/varlog';
const counterHostDirExisted = existsSync('/root/k8s');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (!counterHostDirExisted) rmSync('/root/k8s', { recursive: true, force: true });
});

interface Result {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** What a run's `during` hook saw while the pod ran. */
  seen: Record<string, string>;
}

interface Run {
  file: string;
  args: string[];
  /** Called with each timeline line while the pod runs (to reach the pod before it is deleted). */
  during?: (line: string, seen: Record<string, string>) => Promise<void> | void;
}

// A stand-in for cnych/liveness (the kubernetes.io liveness image's /server): /healthz answers 200
// for its first 10 s, then 500. It answers 200 only when the probe sends the manifest's
// X-Custom-Header, and exits on SIGTERM (a Python PID 1 would otherwise ignore it).
const livenessServer = `
import http.server, signal, sys, time
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
start = time.time()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == '/healthz' and self.headers.get('X-Custom-Header') == 'Awesome' and time.time() - start < 10
        self.send_response(200 if ok else 500)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(('', 8080), H).serve_forever()
`;

const runs: Record<string, Run> = {
  // sh as PID 1 ignores SIGTERM, so the liveness kill at ~45 s would wait out the 30 s grace before
  // the restart; the run ends at 52 s with a 1 s grace instead, once the kill has been decided.
  'liveness-exec': { file: 'liveness-exec', args: ['--for', '52s', '--grace-period', '1', '-o', 'json'] },
  'liveness-http': { file: 'liveness-http', args: ['--for', '3s', '-o', 'json'] },
  'liveness-http with the image in the agent config': { file: 'liveness-http', args: ['--for', '22s', '-o', 'json'] },
  // Both PID 1s (sh, tail) ignore SIGTERM: a 2 s grace instead of 30 s to see that.
  counter: { file: 'counter', args: ['--for', '5s', '--grace-period', '2'] },
  'myapp-pod': { file: 'myapp-pod', args: ['--for', '8s', '--grace-period', '1'] },
  'init-pod': { file: 'init-pod', args: ['--for', '5s'] },
  'lifecycle-demo': {
    file: 'lifecycle-demo',
    args: ['--for', '3s'],
    // The postStart wrote /usr/share/message in the container's root, seen through its PID 1's /proc.
    during: (line, seen) => {
      const pid = /ProcessStarted .* as pid (\d+)/.exec(line)?.[1];
      if (pid) seen.pid = pid;
      if (/STATUS Running/.test(line) && seen.pid) seen.message = readFileSync(`/proc/${seen.pid}/root/usr/share/message`, 'utf8');
    },
  },
  'hook-demo': {
    file: 'hook-demo',
    args: ['--for', '4s'],
    // The page the postStart wrote, fetched from the host at the pod's IP as soon as it runs.
    during: async (line, seen) => {
      const ip = /pod IP (\d+\.\d+\.\d+\.\d+)/.exec(line)?.[1];
      if (ip) seen.ip = ip;
      if (/STATUS Running/.test(line) && seen.ip) seen.page = await (await fetch(`http://${seen.ip}/hello.html`)).text();
    },
  },
};

// isolatedConfig (test/helpers) gives a test worker four bridges and pod CIDRs, reused in turn, so
// at most four agents may run at once: three lanes of runs, one after another in each (~55 s in all).
const lanes: { runs: string[]; images?: boolean; nodePorts?: string }[] = [
  { runs: ['liveness-exec'] },
  { runs: ['liveness-http with the image in the agent config', 'counter', 'myapp-pod', 'lifecycle-demo'], images: true },
  // init-pod's Service asks for NodePort 31505: this lane's range holds it.
  { runs: ['liveness-http', 'hook-demo', 'init-pod'], nodePorts: '31504-31511' },
];
const results = new Map<string, Promise<Result>>();

async function run(r: Run, config: string): Promise<Result> {
  const seen: Record<string, string> = {};
  const child = execa('node', [cli, 'run', join(examples, `${r.file}.yaml`), ...r.args, '--config', config], { reject: false });
  const during: Promise<void>[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    // A hook that throws, at once or later, is recorded: the test then fails on seen.error.
    for (const line of lines) if (r.during) during.push(Promise.resolve().then(() => r.during!(line, seen)).catch((e: Error) => void (seen.error = e.message)));
  });
  const done = await child;
  await Promise.all(during);
  return { exitCode: done.exitCode ?? -1, stdout: String(done.stdout), stderr: String(done.stderr), seen };
}

beforeAll(() => {
  lanes.forEach((lane, i) => {
    const config = writeAgentConfig(dir, `lane${i}`, lane.nodePorts);
    if (lane.images) {
      appendFileSync(config, `images:\n  cnych/liveness:\n    entrypoint: ${JSON.stringify(['/usr/bin/python3', '-c', livenessServer])}\n`);
    }
    let previous: Promise<unknown> = Promise.resolve();
    for (const name of lane.runs) {
      const p = previous.then(() => run(runs[name]!, config));
      results.set(name, p);
      previous = p.catch(() => undefined);
    }
  });
});

const result = (name: string) => results.get(name)!;
const timeline = (r: Result) => r.stdout + r.stderr;

interface Ev {
  reason: string;
  message: string;
  count?: number;
  eventTime?: string;
  involvedObject: { fieldPath?: string };
}
const json = (r: Result) => JSON.parse(r.stdout) as { pod: { status: Record<string, any> }; events: Ev[] };
const eventsOf = (evs: Ev[], reason: string, container?: string) =>
  evs.filter((e) => e.reason === reason && (!container || e.involvedObject.fieldPath?.endsWith(`{${container}}`)));
/** How many times events with this reason happened, aggregated ones counted as often as they say. */
const times = (evs: Ev[]) => evs.reduce((n, e) => n + (e.count ?? 1), 0);
const at = (e: Ev) => Date.parse(e.eventTime!);
/** The STATUS column values the timeline showed, in order. */
const statuses = (r: Result) => [...r.stdout.matchAll(/ STATUS (\S+)/g)].map((m) => m[1]);

describe('the classic examples, as users paste them', () => {
  it('each manifest in test/examples has a run', () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(new Set(Object.values(runs).map((r) => r.file))).toEqual(new Set(files));
    expect(lanes.flatMap((l) => l.runs).sort()).toEqual(Object.keys(runs).sort());
  });

  it('liveness-exec: healthy while /tmp/healthy exists (30 s), then three failed probes and a kill to restart it', async () => {
    const r = await result('liveness-exec');
    const { events } = json(r);
    const started = eventsOf(events, 'Started', 'liveness-exec')[0]!;
    const unhealthy = eventsOf(events, 'Unhealthy', 'liveness-exec');
    expect(times(unhealthy), r.stdout).toBeGreaterThanOrEqual(3);
    for (const e of unhealthy) expect(e.message).toMatch(/^Liveness probe failed: .*\/tmp\/healthy/);
    // Probes every 5 s from 5 s: the first to fail is the one at 30 s or 35 s.
    const firstFailure = (at(unhealthy[0]!) - at(started)) / 1000;
    expect(firstFailure).toBeGreaterThanOrEqual(29);
    expect(firstFailure).toBeLessThan(40);
    expect(eventsOf(events, 'Killing', 'liveness-exec').map((e) => e.message)).toContain('Container liveness-exec failed liveness probe, will be restarted');
    // The sh PID 1 ignores SIGTERM: it ends by SIGKILL, which tinylet run reports as a failure.
    expect(r.exitCode).toBe(1);
  }, 120_000);

  it('liveness-http: cnych/liveness cannot be pulled (no way to a registry here) and is in no catalog: ErrImagePull, then ImagePullBackOff, with what to do', async () => {
    const r = await result('liveness-http');
    const { pod, events } = json(r);
    expect(pod.status.containerStatuses[0].state.waiting.reason).toBe('ImagePullBackOff');
    const pull = eventsOf(events, 'Failed', 'liveness').map((e) => e.message);
    expect(pull.join('\n')).toContain('Failed to pull image "cnych/liveness": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/cnych/liveness:latest": failed to resolve reference');
    expect(pull.join('\n')).toMatch(/`tinylet image load` a `docker save` archive of the image, or map the name to host programs under "images:" in the agent config/);
    expect(pull).toContain('Error: ErrImagePull');
    expect(eventsOf(events, 'Started')).toEqual([]);
    expect(r.exitCode).toBe(1);
  }, 120_000);

  it('liveness-http, its image added to the agent config: the probe sends X-Custom-Header, fails after 10 s, restarts the container', async () => {
    const r = await result('liveness-http with the image in the agent config');
    const { pod, events } = json(r);
    const started = eventsOf(events, 'Started', 'liveness')[0]!;
    const unhealthy = eventsOf(events, 'Unhealthy', 'liveness');
    expect(times(unhealthy), r.stdout).toBeGreaterThanOrEqual(3);
    for (const e of unhealthy) expect(e.message).toBe('Liveness probe failed: HTTP probe failed with statuscode: 500');
    // Without the header the first probe, at 3 s, would already fail.
    expect((at(unhealthy[0]!) - at(started)) / 1000).toBeGreaterThanOrEqual(10);
    expect(eventsOf(events, 'Killing', 'liveness').map((e) => e.message)).toContain('Container liveness failed liveness probe, will be restarted');
    expect(pod.status.containerStatuses[0].restartCount).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('counter: one container appends to a file of the hostPath volume, the other tails it', async () => {
    const r = await result('counter');
    const lines = [...r.stdout.matchAll(/counter-pod\s+stdout \| (\d+):(.*)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(lines.length, r.stdout).toBeGreaterThanOrEqual(3);
    // The volume is the host's directory: the reader's last line is in the host's file.
    expect(readFileSync(join(counterHostDir, '1.log'), 'utf8')).toContain(`${lines.at(-1)}\n`);
    // Neither sh nor tail handles SIGTERM as PID 1: both are killed at the end of the grace period.
    expect(r.stdout).toMatch(/ignored the stop signal/);
    expect(r.stdout).toMatch(/pod-counter: exit code 137/);
    expect(r.stdout).toMatch(/counter-pod: exit code 137/);
    expect(r.exitCode).toBe(1);
  }, 120_000);

  // In a cluster the init containers wait until Services myservice and mydb exist in cluster DNS, then
  // the app prints "The app is running!". `tinylet run` of the file alone has no such Services (they
  // are created later with kubectl, against an agent: test/e2e.services.test.ts), so what a user sees
  // is the first init container waiting for ever: Init:0/2, and the app never starts.
  it('myapp-pod: waits at Init:0/2 with init-myservice looking for myservice; the app never starts', async () => {
    const r = await result('myapp-pod');
    expect(statuses(r)).toContain('Init:0/2');
    expect(statuses(r)).not.toContain('Init:1/2');
    expect(statuses(r)).not.toContain('Running');
    expect([...r.stdout.matchAll(/init-myservice\s+stdout \| waiting for myservice/g)].length, r.stdout).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toMatch(/Started container init-myservice/);
    expect(r.stdout).not.toMatch(/Started container (init-mydb|myapp-container)/);
    expect(r.exitCode).toBe(1);
  }, 120_000);

  // In a cluster the init container downloads www.baidu.com into the emptyDir and nginx serves it on
  // the NodePort. The Service is created as pasted; but nothing a pod sends leaves this machine (and
  // the cluster DNS forwards no name off it in tests), so the download fails every time: the pod
  // crash-loops in its init container and nginx never starts.
  it('init-pod: the Service is created with its NodePort; the init container cannot fetch from the internet and crash-loops', async () => {
    const r = await result('init-pod');
    expect(r.stdout).toMatch(/service\/init-demo created \(NodePort, cluster IP [\d.]+, 8088:31505\/TCP\)/);
    expect(r.stdout).toMatch(/init\s+Exited\s+Container init \(pid \d+\) exited with code 1/);
    expect(statuses(r)).toContain('Init:Error');
    expect(statuses(r)).toContain('Init:CrashLoopBackOff');
    expect(r.stdout).not.toMatch(/Started container ng/);
    expect(r.exitCode).toBe(1);
  }, 120_000);

  // When nginx exits, the hook's own shell dies with the container's PID namespace, so the hook may
  // end as FailedPreStopHook (exit 137), as the kubelet reports it too; nginx has quit by then.
  it('lifecycle-demo: postStart writes /usr/share/message; the preStop makes nginx quit gracefully (exit 0)', async () => {
    const r = await result('lifecycle-demo');
    expect(r.seen.error).toBeUndefined();
    expect(r.seen.message).toBe('Hello from the postStart handler\n');
    const out = timeline(r);
    expect(out).toMatch(/PreStopHook/);
    // nginx names the sender only when it is in its PID namespace: the hook's `nginx -s quit`, not
    // the agent's stop signal (which nginx logs as "signal 3 (SIGQUIT) received, shutting down").
    expect(out).toMatch(/signal 3 \(SIGQUIT\) received from \d+, shutting down/);
    expect(out).toMatch(/Exited .* exited with code 0/);
    expect(out).toMatch(/PASS/);
    expect(r.exitCode).toBe(0);
  }, 120_000);

  it('hook-demo: nginx serves the hello.html its postStart wrote, in the container only', async () => {
    const r = await result('hook-demo');
    expect(r.seen.error).toBeUndefined();
    expect(r.seen.page).toBe('hello from postStart handler\n');
    // Written to the container's own layer, never to the host's web root.
    expect(existsSync('/usr/share/nginx/html/hello.html')).toBe(false);
    // The nginx image's STOPSIGNAL, which nginx takes as "quit gracefully".
    expect(r.stdout).toMatch(/Sent SIGQUIT to container ng-hook-demo/);
    expect(r.stdout).toMatch(/PASS/);
    expect(r.exitCode).toBe(0);
  }, 120_000);
});
