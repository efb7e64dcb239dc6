// Stock kubectl with interactive containers: 1.32 (WebSocket v5) runs `run -i --rm`, `attach -i`,
// and sees the real reason for a wrong `-c` (not the SPDY fallback's); kubectl 1.20 (SPDY) is in
// kubectl.spdy.test.ts. Real agent, real containers, kubectl's own stdin piped.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { KUBECTL_132, writeKubeconfig } from './helpers/kubectl.js';
import { processesMatching } from './helpers/leaks.js';

const pods = '/api/v1/namespaces/default/pods';

function pod(name: string, command: string, container: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command], ...container }] } };
}

describe.skipIf(!existsSync(KUBECTL_132))('kubectl run -i / attach -i against the agent', () => {
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (bin: string, args: string[], input?: string) =>
    execa(bin, ['--kubeconfig', kubeconfig, ...args], { reject: false, input, env: { HOME: dir }, timeout: 90_000 });

  beforeAll(async () => {
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-interactive-'));
    kubeconfig = await writeKubeconfig(t, dir);
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
    // No container or launcher outlives the agent (a launcher's command line names the state dir).
    if (t) expect(await processesMatching(`launch --spec ${t.config.stateDir}`)).toEqual([]);
  });

  it('1.32: run -i --rm with piped input reads it, prints the output, deletes the pod; the exit code is the container\'s', async () => {
    const ok = await kubectl(KUBECTL_132, ['run', '-i', '--rm', 'rd', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo got $x'], 'hi\n');
    expect(ok.stdout, ok.stderr).toContain('got hi');
    expect(ok.stdout).toContain('pod "rd" deleted');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect((await t.http('GET', `${pods}/rd`)).status).toBe(404);
    const failed = await kubectl(KUBECTL_132, ['run', '-i', '--rm', 'rf', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo got $x; exit 3'], 'there\n');
    expect(failed.stdout, failed.stderr).toContain('got there');
    expect(failed.exitCode, failed.stderr).toBe(3);
  });

  it('1.32: attach -i feeds a stdin container and leaves it running', async () => {
    await t.http('POST', pods, { body: pod('att', 'while read l; do echo "echo:$l"; done', { stdin: true }) });
    await waitForApiPod(t.agent, 'default', 'att', isRunning);
    // As in a cluster the attach lasts while the container runs (its stdin ending does not end it): kubectl is stopped here.
    const attached = async (line: string) => {
      const p = execa(KUBECTL_132, ['--kubeconfig', kubeconfig, 'attach', '-i', 'att'], { reject: false, env: { HOME: dir }, timeout: 60_000 });
      let out = '';
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      p.stdin!.write(line);
      await vi.waitFor(() => expect(out).toContain(line.replace(/^/, 'echo:')), { timeout: 20_000, interval: 100 });
      p.kill('SIGTERM');
      await p;
      return out;
    };
    expect(await attached('ping\n')).toBe('echo:ping\n');
    expect(await attached('pong\n')).toBe('echo:pong\n');
    expect((await t.http('GET', `${pods}/att`)).json.status.phase).toBe('Running');
  });

  it('1.32: run -it --rm through a real terminal: the prompt, typed commands, resize, the shell\'s exit code', async () => {
    const term = pty.spawn(KUBECTL_132, ['--kubeconfig', kubeconfig, 'run', '-it', '--rm', 'bb', '--image=busybox', '--restart=Never', '--', 'sh'], { name: 'xterm', cols: 90, rows: 30, env: { HOME: dir, TERM: 'xterm', PATH: process.env.PATH ?? '' } });
    let out = '';
    term.onData((d) => (out += d));
    const exited = new Promise<number>((r) => term.onExit(({ exitCode }) => r(exitCode)));
    const seen = (text: string) => vi.waitFor(() => expect(out).toContain(text), { timeout: 60_000, interval: 100 });
    await seen("If you don't see a command prompt, try pressing enter.");
    term.write('\r');
    await seen('/ # ');
    term.write('stty size; echo h""i\r');
    await seen('hi\r\n');
    await seen('30 90');
    term.resize(110, 40);
    await new Promise((r) => setTimeout(r, 300));
    term.write('stty size\r');
    await seen('40 110');
    term.write('exit 3\r');
    expect(await exited).toBe(3);
    expect(out).not.toContain('job control');
    expect((await t.http('GET', `${pods}/bb`)).status).toBe(404);
  });

  it('1.32: attach -it to a tty container: its shell, window size changes; a non-tty container gets kubectl\'s warning', async () => {
    await t.http('POST', pods, { body: pod('tt', 'exec sh', { stdin: true, tty: true }) });
    await waitForApiPod(t.agent, 'default', 'tt', isRunning);
    const term = pty.spawn(KUBECTL_132, ['--kubeconfig', kubeconfig, 'attach', '-it', 'tt'], { name: 'xterm', cols: 70, rows: 20, env: { HOME: dir, TERM: 'xterm', PATH: process.env.PATH ?? '' } });
    let out = '';
    term.onData((d) => (out += d));
    const exited = new Promise<number>((r) => term.onExit(({ exitCode }) => r(exitCode)));
    const seen = (text: string) => vi.waitFor(() => expect(out).toContain(text), { timeout: 30_000, interval: 100 });
    term.write('\r');
    await seen('/ # ');
    term.write('stty size\r');
    await seen('20 70');
    term.resize(120, 45);
    await new Promise((r) => setTimeout(r, 300));
    term.write('stty size\r');
    await seen('45 120');
    term.write('exit 7\r');
    await exited;
    await vi.waitFor(async () => expect((await t.http('GET', `${pods}/tt`)).json.status.containerStatuses[0].lastState?.terminated?.exitCode ?? (await t.http('GET', `${pods}/tt`)).json.status.containerStatuses[0].state.terminated?.exitCode).toBe(7), { timeout: 15_000, interval: 200 });
    // kubectl checks the container's spec and goes on without a terminal; the attach ends with the container.
    await t.http('POST', pods, { body: pod('plain', 'sleep 2; echo bye; sleep 3600') });
    await waitForApiPod(t.agent, 'default', 'plain', isRunning);
    const warned = execa(KUBECTL_132, ['--kubeconfig', kubeconfig, 'attach', '-t', 'plain'], { reject: false, env: { HOME: dir }, timeout: 60_000 });
    let said = '';
    warned.stdout!.on('data', (d: Buffer) => (said += d.toString()));
    await vi.waitFor(() => expect(said).toContain('bye'), { timeout: 20_000, interval: 100 });
    warned.kill('SIGTERM');
    expect((await warned).stderr).toContain('Unable to use a TTY - container app did not allocate one');
  });

  it('1.32: exec -it into dash (the nginx image\'s /bin/sh is the host\'s): job control, and the shell\'s exit code', async () => {
    await t.http('POST', pods, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'nginx' }] } } });
    await waitForApiPod(t.agent, 'default', 'web', isRunning);
    const term = pty.spawn(KUBECTL_132, ['--kubeconfig', kubeconfig, 'exec', '-it', 'web', '--', 'sh'], { name: 'xterm', cols: 90, rows: 30, env: { HOME: dir, TERM: 'xterm', PATH: process.env.PATH ?? '' } });
    let out = '';
    term.onData((d) => (out += d));
    const exited = new Promise<number>((r) => term.onExit(({ exitCode }) => r(exitCode)));
    const seen = (text: string) => vi.waitFor(() => expect(out).toContain(text), { timeout: 30_000, interval: 100 });
    await seen('# ');
    // The shell leads the terminal's session and is its foreground process group.
    term.write('readlink -f /proc/$$/exe; read -r _ _ _ _ pgrp sid _ tpgid _ </proc/$$/stat; [ $sid = $$ ] && [ $tpgid = $$ ] && echo leader-fg; echo d""one\r');
    await seen('done\r\n');
    expect(out).toContain('/usr/bin/dash');
    expect(out).toContain('leader-fg\r\n');
    term.write('exit 5\r');
    expect(await exited).toBe(5);
    expect(out).not.toContain('Cannot set tty process group');
  });

  it('1.32: exec and attach with a wrong -c show the real reason, not the SPDY fallback', async () => {
    await t.http('POST', pods, { body: pod('one', 'sleep 3600') });
    await waitForApiPod(t.agent, 'default', 'one', isRunning);
    const exec = await kubectl(KUBECTL_132, ['exec', 'one', '-c', 'nope', '--', 'true']);
    expect(exec.exitCode).toBe(1);
    expect(exec.stderr).toContain('container nope is not valid for pod one');
    expect(exec.stderr).not.toContain('SPDY');
  });
});
