// `tinylet image load|ls|rm|prune` on the store the agent and `tinylet run` share, and the sigterm
// lab run from an image built here: the shell-form CMD trap shown, the exec form passing.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/agent.js';
import { buildImage, busyboxLayer, writeDockerSave, writeOciLayout, type BuiltImage } from './helpers/ociImage.js';
import { waitUntil, writeAgentConfig, writeTestFile } from './helpers/testKubelet.js';

const dir = mkdtempSync(join(tmpdir(), 'tinylet-cli-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const repo = join(import.meta.dirname, '..');
let n = 0;
const config = () => writeAgentConfig(dir, `img${n++}`);
const stateOf = (cfg: string) => (parse(readFileSync(cfg, 'utf8')) as { stateDir: string }).stateDir;
const blobsOf = (cfg: string) => {
  const d = join(stateOf(cfg), 'images', 'store', 'blobs', 'sha256');
  return existsSync(d) ? readdirSync(d) : [];
};
const tinylet = (args: string[], opts: { input?: string | Buffer } = {}) => execa('node', [CLI, ...args], { reject: false, ...opts });

function tinyImage(marker: string): BuiltImage {
  return buildImage({ layers: [busyboxLayer([{ name: 'MARK', content: marker }])], config: { Cmd: ['sh'], Env: ['PATH=/bin'] } });
}

describe('tinylet image', () => {
  it('load (file and stdin), ls, rm and prune', async () => {
    const cfg = config();
    const a = tinyImage('a');
    const b = tinyImage('b');
    const archive = join(dir, 'a.tar');
    writeDockerSave(archive, [{ image: a, tags: ['team/a:v1', 'team/a:latest'] }], 'legacy');
    const loaded = await tinylet(['image', 'load', archive, '--config', cfg]);
    // Progress (big files) on stderr, the result on stdout, as `docker load` prints it.
    expect(loaded.stderr).not.toContain('Loaded');
    expect(loaded.stdout).toBe('Loaded image: docker.io/team/a:v1\nLoaded image: docker.io/team/a:latest');
    const layout = join(dir, 'b-layout.tar');
    writeOciLayout(layout, [{ image: b, ref: 'v2' }], { tar: true });
    const tagOnly = await tinylet(['image', 'load', '-', '--config', cfg], { input: readFileSync(layout) });
    expect(tagOnly.exitCode).toBe(1);
    expect(tagOnly.stderr).toMatch(/--name/);
    const fromStdin = await tinylet(['image', 'load', '-', '--name', '127.0.0.1:5000/team/b', '--config', cfg], { input: readFileSync(layout) });
    expect(fromStdin.stdout).toBe('Loaded image: 127.0.0.1:5000/team/b:v2');

    const ls = await tinylet(['image', 'ls', '--config', cfg]);
    const rows = ls.stdout.split('\n').map((l) => l.split(/\s{3,}/));
    expect(rows[0]).toEqual(['IMAGE', 'TAG', 'IMAGE ID', 'SIZE', 'SOURCE']);
    expect(rows.slice(1, 4).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['127.0.0.1:5000/team/b', 'v2', b.configDigest.slice(7, 20), 'loaded'],
      ['docker.io/team/a', 'latest', a.configDigest.slice(7, 20), 'loaded'],
      ['docker.io/team/a', 'v1', a.configDigest.slice(7, 20), 'loaded'],
    ]);
    // The host-backed names are listed after the store's, as what a pod naming them gets otherwise.
    expect(rows.slice(4).map((r) => `${r[0]} ${r[4]}`)).toEqual(expect.arrayContaining(['busybox host', 'nginx host', 'registry.k8s.io/pause host']));
    const quiet = await tinylet(['image', 'ls', '-q', '--config', cfg]);
    expect(quiet.stdout.split('\n').sort()).toEqual([a.configDigest, a.configDigest, b.configDigest].sort());

    const blobsBefore = blobsOf(cfg);
    // docker save (legacy) holds the layers uncompressed: stored by their diff IDs.
    expect(blobsBefore).toEqual(expect.arrayContaining([a.configDigest.slice(7), ...a.layers.map((l) => l.diffID.slice(7))]));
    // One of two tags: nothing of the image goes.
    expect((await tinylet(['image', 'rm', 'team/a:v1', '--config', cfg])).stdout).toBe('Deleted: docker.io/team/a:v1');
    expect(blobsOf(cfg)).toEqual(blobsBefore);
    expect((await tinylet(['image', 'rm', 'team/a', '--config', cfg])).stdout).toBe('Deleted: docker.io/team/a:latest');
    expect(blobsOf(cfg)).not.toContain(a.configDigest.slice(7));
    expect(existsSync(join(stateOf(cfg), 'images', 'store', 'roots', a.configDigest.slice(7)))).toBe(false);
    const missing = await tinylet(['image', 'rm', 'team/a', '--config', cfg]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('error: no such image: team/a');

    const prune = await tinylet(['image', 'prune', '--config', cfg]);
    expect(prune.stdout).toMatch(/^Deleted: 127.0.0.1:5000\/team\/b:v2\nTotal reclaimed space: \d/);
    expect(blobsOf(cfg)).toEqual([]);
  });

  it('a load killed with SIGKILL mid-write tags nothing; prune clears what it left half-written; the next load works', async () => {
    const cfg = config();
    const big = buildImage({ layers: [busyboxLayer(), [{ name: 'big', content: randomBytes(48 << 20) }]], compression: 'none', config: { Cmd: ['sh'], Env: ['PATH=/bin'] } });
    const archive = join(dir, 'big.tar');
    writeDockerSave(archive, [{ image: big, tags: ['team/big:v1'] }], 'legacy');
    const ingest = join(stateOf(cfg), 'images', 'store', 'blobs', 'ingest');
    const load = execa('node', [CLI, 'image', 'load', archive, '--config', cfg], { reject: false });
    // A finished blob is renamed out of ingest between the listing and the stat: a vanished file counts as empty.
    const sizeOf = (f: string) => statSync(join(ingest, f), { throwIfNoEntry: false })?.size ?? 0;
    await waitUntil(() => existsSync(ingest) && readdirSync(ingest).some((f) => sizeOf(f) > 0), 20_000);
    load.kill('SIGKILL');
    expect((await load).signal).toBe('SIGKILL');
    expect((await tinylet(['image', 'ls', '-q', '--config', cfg])).stdout).toBe('');
    expect(readdirSync(ingest).length).toBeGreaterThan(0);
    expect((await tinylet(['image', 'prune', '--config', cfg])).exitCode).toBe(0);
    expect(existsSync(ingest)).toBe(false);
    expect((await tinylet(['image', 'load', archive, '--config', cfg])).stdout).toBe('Loaded image: docker.io/team/big:v1');
  });

  it('load refuses a broken archive with the file and field, and tags nothing', async () => {
    const cfg = config();
    const bad = writeTestFile(dir, 'bad.tar', 'not a tar at all'.repeat(64));
    const r = await tinylet(['image', 'load', bad, '--config', cfg]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect((await tinylet(['image', 'ls', '-q', '--config', cfg])).stdout).toBe('');
  });
});

/** The sigterm lab's app, as an image: its script at /app/server.sh, started by the image's CMD. */
function labImage(cmd: string[]): BuiltImage {
  const lab = parse(readFileSync(join(repo, 'scenarios', 'sigterm', 'pod.yaml'), 'utf8'));
  const script = `#!/bin/sh\n${lab.spec.containers[0].command[2]}`;
  return buildImage({
    layers: [busyboxLayer([{ name: 'app/' }, { name: 'app/server.sh', content: script, mode: 0o755 }])],
    config: { Cmd: cmd, Env: ['PATH=/bin'] },
  });
}

/** The lab's pod with its command taken away: the image decides what runs. */
function labPodFromImage(name: string, image: string): string {
  const lab = parse(readFileSync(join(repo, 'scenarios', 'sigterm', 'pod.yaml'), 'utf8'));
  delete lab.spec.containers[0].command;
  lab.spec.containers[0].image = image;
  lab.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  lab.spec.terminationGracePeriodSeconds = 2;
  return writeTestFile(dir, `${name}.yaml`, stringify(lab));
}

describe('the sigterm lab on a real image', () => {
  it('shell-form CMD: the shell is PID 1, SIGTERM never reaches the app, SIGKILL at the deadline, and the verdict names the trap', async () => {
    const cfg = config();
    const archive = join(dir, 'shell-form.tar');
    // What `CMD /app/server.sh 2>&1 | tee /tmp/app.log` in a Dockerfile becomes. (A shell that would
    // run only one command last execs it: busybox's and dash's do, so the pipe keeps the shell there.)
    writeDockerSave(archive, [{ image: labImage(['/bin/sh', '-c', '/app/server.sh 2>&1 | tee /tmp/app.log']), tags: ['lab/app:shell'] }], 'legacy');
    expect((await tinylet(['image', 'load', archive, '--config', cfg])).exitCode).toBe(0);
    const r = await tinylet(['run', labPodFromImage('shell', 'lab/app:shell'), '--for', '1s', '--config', cfg]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('serving requests');
    expect(r.stdout).not.toContain('SIGTERM received');
    expect(r.stdout).toMatch(/ExceededGracePeriod/);
    expect(r.stdout).toMatch(/FAIL: app ignored the stop signal/);
    expect(r.stdout).toContain("hint: app: the image's command is in shell form (/bin/sh -c ...)");
  });

  it('exec-form CMD: the app is PID 1, drains on SIGTERM and exits 0: PASS', async () => {
    const cfg = config();
    const archive = join(dir, 'exec-form.tar');
    writeDockerSave(archive, [{ image: labImage(['/app/server.sh']), tags: ['lab/app:exec'] }], 'oci');
    expect((await tinylet(['image', 'load', archive, '--config', cfg])).exitCode).toBe(0);
    const r = await tinylet(['run', labPodFromImage('exec', 'lab/app:exec'), '--for', '1s', '--config', cfg]);
    expect(r.stdout).toContain('SIGTERM received, draining');
    expect(r.stdout).toContain('PASS');
    expect(r.exitCode).toBe(0);
  });
});
