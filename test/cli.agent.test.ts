// tinylet's own CLI against a real agent over its Unix socket.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { agentWithFiles, cli, isRunning, podYaml, waitForApiPod } from './helpers/agent.js';

describe('tinylet CLI against the agent', () => {
  const ctx = agentWithFiles('tinylet-cli-agent-');
  const { file } = ctx;

  it('applies a directory and stdin, gets pods in every format', async () => {
    const d = join(ctx.dir, 'manifests');
    (await import('node:fs')).mkdirSync(d);
    writeFileSync(join(d, 'a.yaml'), podYaml('one', 'echo one; sleep 3600'));
    writeFileSync(join(d, 'b.yaml'), podYaml('two', 'echo two; sleep 3600'));
    const applied = await cli(ctx.t, ['apply', '-f', d]);
    expect(applied.stdout).toBe('pod/one created\npod/two created');
    const fromStdin = await cli(ctx.t, ['create', '-f', '-'], podYaml('three', 'sleep 3600'));
    expect(fromStdin.stdout).toBe('pod/three created');
    for (const n of ['one', 'two', 'three']) await waitForApiPod(ctx.t.agent, 'default', n, isRunning);

    const table = await cli(ctx.t, ['get', 'pods']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(table.stdout).toMatch(/\none\s+1\/1\s+Running\s+0\s+\d+s\n/);
    const wide = await cli(ctx.t, ['get', 'pods', '-o', 'wide', '-l', 'app=two']);
    expect(wide.stdout.split('\n')[1]).toMatch(new RegExp(`^two\\s+1/1\\s+Running\\s+0\\s+\\d+s\\s+\\d+\\.\\d+\\.\\d+\\.\\d+\\s+${ctx.t.config.nodeName}\\s+<none>\\s+<none>$`));
    expect((await cli(ctx.t, ['get', 'pods', '-o', 'name', '-l', 'app in (one,three)'])).stdout).toBe('pod/one\npod/three');
    expect((await cli(ctx.t, ['get', 'pods', '-o', 'name', '--field-selector', 'metadata.name!=one', '-l', 'tier=test'])).stdout).toBe('pod/three\npod/two');
    const json = JSON.parse((await cli(ctx.t, ['get', 'pod', 'one', '-o', 'json'])).stdout);
    expect(json).toMatchObject({ kind: 'Pod', metadata: { name: 'one' }, status: { phase: 'Running' } });
    const yaml = parse((await cli(ctx.t, ['get', 'pods', '-o', 'yaml'])).stdout);
    expect(yaml.kind).toBe('List');
    expect(yaml.items.map((p: any) => p.metadata.name)).toEqual(['one', 'three', 'two']);
    const all = await cli(ctx.t, ['get', 'pods', '-A']);
    expect(all.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    const missing = await cli(ctx.t, ['get', 'pod', 'ghost']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): pods "ghost" not found');
    const ns = await cli(ctx.t, ['get', 'namespaces']);
    expect(ns.stdout).toMatch(/^NAME\s+STATUS\s+AGE\n/);
    expect(ns.stdout).toMatch(/\nkube-system\s+Active\s/);
  });

  it('refuses an invalid manifest with kubectl\'s wording and every field path', async () => {
    const bad = file('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  restartPolicy: Sometimes\n  containers:\n  - name: web\n');
    const r = await cli(ctx.t, ['create', '-f', bad]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^The Pod "bad" is invalid: \n\* /);
    expect(r.stderr).toContain('* spec.restartPolicy: Unsupported value: "Sometimes"');
    expect(r.stderr).toContain('* spec.containers[0].image: Required value');
  });

  it('describes a pod with kubectl\'s layout, events at the bottom, and prints its timeline', async () => {
    const d = await cli(ctx.t, ['describe', 'pod', 'one']);
    expect(d.stdout).toMatch(/^Name:\s+one\nNamespace:\s+default\n/);
    expect(d.stdout).toMatch(/\nContainers:\n {2}app:\n/);
    expect(d.stdout).toMatch(/\nEvents:\n {2}Type\s+Reason\s+Age\s+From\s+Message\n {2}----/);
    expect(d.stdout).toMatch(/\n {2}Normal\s+Started\s+\S+\s+kubelet\s+Started container app\n/);
    const ev = await cli(ctx.t, ['events', 'one']);
    const lines = ev.stdout.split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \+\s+0\.000s\s+pod\/one\s+Scheduled/);
    expect(ev.stdout).toMatch(/app\s+Started\s+Started container app/);
  });

  it('prints logs (tail, timestamps, follow) and runs exec in the container', async () => {
    expect((await cli(ctx.t, ['logs', 'one'])).stdout).toBe('one');
    expect((await cli(ctx.t, ['logs', 'pod/two', '--timestamps'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z two$/);
    // In the container's PID namespace: its PID 1 is the app (`sh` exec'd `sleep 3600`), the exec a later PID.
    const exec = await cli(ctx.t, ['exec', 'one', '--', 'sh', '-c', 'echo "$(hostname) $(cat /proc/1/cmdline | tr "\\0" " ")"; exit 7']);
    expect(exec.stdout).toBe('one sleep 3600 ');
    expect(exec.exitCode).toBe(7);
    const stdin = await cli(ctx.t, ['exec', '-i', 'one', '--', 'tr', 'a-z', 'A-Z'], 'shout\n');
    expect(stdin.stdout).toBe('SHOUT');
    // -t: a real PTY on the node (node-pty), this side's terminal given by script(1).
    const { execa } = await import('execa');
    const { CLI } = await import('./helpers/agent.js');
    const tty = await execa('script', ['-qec', `node ${CLI} -s unix://${ctx.t.socket} exec -t one -- sh -c 'tty; echo TERM=$TERM; exit 4'`, '/dev/null'], { reject: false });
    expect(tty.stdout).toMatch(/^\/dev\/pts\/\d+\r*\nTERM=xterm/);
    expect(tty.exitCode).toBe(4);
    const bad = await cli(ctx.t, ['exec', 'ghost', '--', 'true']);
    expect(bad.stderr).toBe('Error from server (NotFound): pods "ghost" not found');
  });

  it('shows top pod from the metrics API', async () => {
    const top = await cli(ctx.t, ['top', 'pod']);
    expect(top.stdout.split('\n')[0]).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    expect(top.stdout).toMatch(/\none\s+\d+m\s+\d+Mi/);
  });

  it('deletes by name (waiting until gone), by selector, by file and with --force', async () => {
    const started = Date.now();
    const del = await cli(ctx.t, ['delete', 'pod', 'one', '--grace-period=2']);
    expect(del.stdout).toBe('pod "one" deleted');
    // sleep as PID 1 ignores SIGTERM: SIGKILL comes after the 2 s grace period, and --wait waits for it.
    expect(Date.now() - started).toBeGreaterThan(1800);
    expect(ctx.t.agent.kubelet.getPod('default', 'one')).toBeUndefined();
    const sel = await cli(ctx.t, ['delete', 'pods', '-l', 'app=two', '--wait=false']);
    expect(sel.stdout).toBe('pod "two" deleted');
    expect(ctx.t.agent.kubelet.getPod('default', 'two')?.metadata?.deletionTimestamp).toBeDefined();
    const forced = await cli(ctx.t, ['delete', 'pod', 'three', '--grace-period=0', '--force']);
    expect(forced.stderr).toContain('warning: Immediate deletion does not wait for confirmation');
    expect(forced.stdout).toBe('pod "three" force deleted');
    expect(ctx.t.agent.kubelet.getPod('default', 'three')).toBeUndefined();
    const gone = await cli(ctx.t, ['delete', 'pod', 'three']);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toBe('Error from server (NotFound): pods "three" not found');
  });

  it('prints a kubeconfig and refuses to talk without an agent', async () => {
    const kc = parse((await cli(ctx.t, ['kubeconfig'])).stdout);
    expect(kc.users[0].user.token).toBe(ctx.t.agent.token);
    expect(kc.clusters[0].cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const viaKubeconfig = await cli(ctx.t, ['--kubeconfig', file('kc.yaml', (await cli(ctx.t, ['kubeconfig'])).stdout), 'get', 'ns', '-o', 'name']);
    expect(viaKubeconfig.stdout).toContain('namespace/default');
    const { execa } = await import('execa');
    const { CLI } = await import('./helpers/agent.js');
    const down = await execa('node', [CLI, '-s', `unix://${join(ctx.dir, 'nothing.sock')}`, 'get', 'pods'], { reject: false });
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain('is the tinylet agent running?');
  });
});
