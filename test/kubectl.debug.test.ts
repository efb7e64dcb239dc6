// `kubectl debug` with an ephemeral container, the stock kubectl 1.32 against a real agent: it
// patches pods/ephemeralcontainers (a strategic merge patch of the pod), the kubelet starts the
// debugger in the target's PID namespace, `kubectl logs -c` reads it, `kubectl describe pod` lists
// it under "Ephemeral Containers:". Non-interactive (no -it).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { cli, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_132, writeKubeconfig } from './helpers/kubectl.js';

const present = existsSync(KUBECTL_132);
const isRunning = (p: Pod | undefined) => p?.status?.containerStatuses?.[0]?.state?.running !== undefined;

describe.skipIf(!present)('kubectl 1.32 debug --target', () => {
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[]) => execa(KUBECTL_132, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: { HOME: dir }, timeout: 60_000 });

  beforeAll(async () => {
    t = await startTestAgent({ podNetwork: false });
    dir = mkdtempSync(join(tmpdir(), 'tinylet-kubectl-debug-'));
    kubeconfig = await writeKubeconfig(t, dir);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'example-pod' },
      spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'echo only-the-app-has-this > /tmp/app-marker; exec sleep 3600'] }] },
    };
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: pod })).status).toBe(201);
    await waitForApiPod(t.agent, 'default', 'example-pod', isRunning, 30_000);
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the debugger beside the target, and logs, get and describe show it', async () => {
    const r = await kubectl(['debug', 'example-pod', '--image=busybox', '--target=app', '--', 'sh', '-c', 'ps; cat /proc/1/root/tmp/app-marker']);
    expect(r.exitCode, r.stderr).toBe(0);
    const done = await waitForApiPod(t.agent, 'default', 'example-pod', (p) => p?.status?.ephemeralContainerStatuses?.[0]?.state?.terminated !== undefined, 30_000);
    // kubectl names it debugger-xxxxx, and sets the target and the debugging profile's defaults.
    const spec = done!.spec!.ephemeralContainers![0]!;
    const name = spec.name;
    expect(name).toMatch(/^debugger-\w{5}$/);
    expect(spec).toMatchObject({ image: 'busybox', targetContainerName: 'app', command: ['sh', '-c', 'ps; cat /proc/1/root/tmp/app-marker'] });
    const logs = await kubectl(['logs', 'example-pod', '-c', name!]);
    expect(logs.stderr).toBe('');
    expect(logs.stdout).toMatch(/^\s*1 .*sleep 3600$/m);
    expect(logs.stdout).toContain('only-the-app-has-this');
    const describe = await kubectl(['describe', 'pod', 'example-pod']);
    expect(describe.stdout).toMatch(new RegExp(`Ephemeral Containers:\\n  ${name}:\\n    Container ID:\\s+tinylet://`));
    expect(describe.stdout).toMatch(/Ephemeral Containers:[\s\S]*State:\s+Terminated\n\s+Reason:\s+Completed\n\s+Exit Code:\s+0/);
    // tinylet's own describe has the same section.
    const own = await cli(t, ['describe', 'pod', 'example-pod']);
    expect(own.stdout).toMatch(new RegExp(`Ephemeral Containers:\\n  ${name}:\\n    Container ID:\\s+tinylet://`));
    // The pod is still running and ready: the debugger is no part of it.
    const got = await kubectl(['get', 'pod', 'example-pod', '--no-headers']);
    expect(got.stdout).toMatch(/^example-pod\s+1\/1\s+Running\s+0\s+/);
  });

  it('--container names it; one that fails is not restarted, and the pod goes on', async () => {
    const r = await kubectl(['debug', 'example-pod', '--image=busybox', '-c', 'dbg', '--', 'sh', '-c', 'echo failing; exit 3']);
    expect(r.exitCode, r.stderr).toBe(0);
    const status = (p: Pod | undefined) => p?.status?.ephemeralContainerStatuses?.find((s) => s.name === 'dbg');
    await waitForApiPod(t.agent, 'default', 'example-pod', (p) => status(p)?.state?.terminated !== undefined, 30_000);
    // The pod's restartPolicy is Always: an ordinary container would be restarted within a second or two.
    await new Promise((r) => setTimeout(r, 3000));
    const pod = t.agent.kubelet.getPod('default', 'example-pod');
    expect(status(pod)).toMatchObject({ restartCount: 0, ready: false, state: { terminated: { exitCode: 3, reason: 'Error' } } });
    expect((await kubectl(['logs', 'example-pod', '-c', 'dbg'])).stdout).toBe('failing');
    expect((await kubectl(['get', 'pod', 'example-pod', '--no-headers'])).stdout).toMatch(/^example-pod\s+1\/1\s+Running\s+0\s+/);
  });

  it('debug -it: a shell in the target\'s PID namespace through a real terminal', async () => {
    const term = pty.spawn(KUBECTL_132, ['--kubeconfig', kubeconfig, 'debug', '-it', 'example-pod', '--image=busybox', '--target=app', '-c', 'shell', '--', 'sh'], {
      name: 'xterm', cols: 90, rows: 30, env: { HOME: dir, TERM: 'xterm', PATH: process.env.PATH ?? '' },
    });
    let out = '';
    term.onData((d) => (out += d));
    const exited = new Promise<number>((r) => term.onExit(({ exitCode }) => r(exitCode)));
    const seen = (text: string | RegExp) => vi.waitFor(() => expect(out).toMatch(text), { timeout: 60_000, interval: 100 });
    try {
      await seen("If you don't see a command prompt, try pressing enter.");
      term.write('\r');
      await seen('/ # ');
      term.write('cat /proc/1/root/tmp/app-marker; ps -o pid,args | grep "1 sleep"\r');
      await seen('only-the-app-has-this');
      await seen(/\s1 sleep 3600/);
      term.write('exit 0\r');
      expect(await exited).toBe(0);
    } finally {
      term.kill();
    }
    const ended = await waitForApiPod(t.agent, 'default', 'example-pod', (p) => p?.status?.ephemeralContainerStatuses?.find((s) => s.name === 'shell')?.state?.terminated !== undefined, 20_000);
    expect(ended!.status!.ephemeralContainerStatuses!.find((s) => s.name === 'shell')).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 0 } } });
  });
});

