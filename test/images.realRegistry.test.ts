// One lane against a real registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1, filled by
// `skopeo copy` from OCI layouts built here. Pods pull from it (events Pulling/Pulled, imageID as the
// registry's digest, the image's own script running), a second pod finds the image present, a missing
// tag backs off, and `tinylet image pull` prints the reference and digest. Skipped without the two
// binaries, unless TINYLET_REQUIRE_REGISTRY_LANE=1 (.ci/run), where their absence fails.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { buildImage, busyboxLayer, writeOciLayout, type BuiltImage } from './helpers/ociImage.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { firstContainer, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const run = promisify(execFile);
const REGISTRY_BIN = '/usr/bin/docker-registry';
const SKOPEO_BIN = '/usr/bin/skopeo';
const haveBinaries = existsSync(REGISTRY_BIN) && existsSync(SKOPEO_BIN);
const required = process.env.TINYLET_REQUIRE_REGISTRY_LANE === '1';
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');

const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';
const GO_DURATION = String.raw`(?:\d+(?:\.\d+)?(?:h|m|s|ms|µs|us|ns))+`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const running = (p: Pod) => firstContainer(p).state?.running !== undefined;

function appImage(tag: string): BuiltImage {
  const script = `#!/bin/sh\necho "script of team/app:${tag} ran as $(id -u) in $(pwd)"\ncat /app/marker\nexec sleep 3600\n`;
  return buildImage({
    layers: [busyboxLayer(), [{ name: 'app/' }, { name: 'app/run.sh', content: script, mode: 0o755 }, { name: 'app/marker', content: `marker-${tag}\n` }]],
    config: { Entrypoint: ['/app/run.sh'], Env: ['PATH=/bin'], WorkingDir: '/app' },
    compression: 'gzip',
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

if (!haveBinaries && required) {
  describe('images from a real registry (docker-registry + skopeo)', () => {
    it('has its binaries', () => {
      expect.fail(`TINYLET_REQUIRE_REGISTRY_LANE=1 but ${REGISTRY_BIN} or ${SKOPEO_BIN} is missing: apt-get install docker-registry skopeo`);
    });
  });
}

describe.skipIf(!haveBinaries)('images from a real registry (docker-registry + skopeo)', () => {
  let dir = '';
  let registry: ChildProcess | undefined;
  let registryLog = '';
  let host = '';
  /** Why the multi-platform image is not in the registry ('' when it is). */
  let multiPlatformSkipped = '';
  let node: TestNode | undefined;

  const digestOf = async (repo: string, tag: string): Promise<string> => {
    const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(res.status).toBe(200);
    const digest = res.headers.get('docker-content-digest');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    return digest!;
  };

  const push = (layout: string, tag: string, all: boolean) =>
    run(SKOPEO_BIN, ['copy', '--quiet', ...(all ? ['--all'] : []), '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${host}/team/app:${tag}`], { timeout: 30_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinylet-real-registry-'));
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'storage')}`,
        'http:',
        `  addr: ${host}`,
        '  secret: tinylet-test-secret',
        '',
      ].join('\n'),
    );
    registry = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    registry.stdout!.on('data', (b: Buffer) => (registryLog += b.toString()));
    registry.stderr!.on('data', (b: Buffer) => (registryLog += b.toString()));
    const until = Date.now() + 10_000;
    for (;;) {
      if (registry.exitCode !== null) throw new Error(`docker-registry exited (${registry.exitCode}):\n${registryLog}`);
      const ok = await fetch(`http://${host}/v2/`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > until) throw new Error(`docker-registry did not answer on ${host}:\n${registryLog}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const single = join(dir, 'layout-v1');
    writeOciLayout(single, [{ image: appImage('v1'), ref: 'v1' }]);
    await push(single, 'v1', false);

    // A multi-platform index (another architecture, an attestation manifest, this host's image).
    const multi = join(dir, 'layout-multi');
    writeOciLayout(multi, [{ image: appImage('multi'), ref: 'multi' }], { nested: true });
    try {
      await push(multi, 'multi', true);
    } catch (err) {
      multiPlatformSkipped = `skopeo copy --all of an OCI index failed: ${(err as { stderr?: string }).stderr ?? String(err)}`;
    }
  });

  afterAll(async () => {
    try {
      if (registry && registry.exitCode === null && registry.signalCode === null) {
        const exited = new Promise<void>((resolve) => registry!.once('exit', () => resolve()));
        registry.kill('SIGKILL');
        await exited;
      }
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  afterEach(async () => {
    await node?.cleanup();
    node = undefined;
  });

  it('pulls a gzip image, runs its script, reports Pulling/Pulled and the registry digest; a second pod finds it present', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 300, maxContainerRestartPeriodMs: 1000 } });
    const image = `${host}/team/app:v1`;
    const digest = await digestOf('team/app', 'v1');
    const w = node.run(podManifest('pulled', { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }] }));
    const p = await waitForPod(node, w, running);
    await waitUntil(() => logOf(node!, w, 'app').includes('marker-v1'));
    expect(logOf(node, w, 'app')).toEqual(['script of team/app:v1 ran as 0 in /app', 'marker-v1']);
    expect(firstContainer(p).image).toBe(image);
    expect(firstContainer(p).imageID).toBe(`${host}/team/app@${digest}`);

    const events = eventsOf(node, w);
    const pulling = events.find((e) => e.reason === 'Pulling');
    const pulled = events.find((e) => e.reason === 'Pulled');
    expect(pulling?.message).toBe(`Pulling image "${image}"`);
    expect(pulled?.message).toMatch(new RegExp(`^Successfully pulled image "${escape(image)}" in ${GO_DURATION} \\(${GO_DURATION} including waiting\\)\\. Image size: \\d+ bytes\\.$`));
    const size = Number(/Image size: (\d+) bytes/.exec(pulled!.message)![1]);
    expect(size).toBeGreaterThan(500_000); // busybox, gzipped

    const w2 = node.run(podManifest('again', { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }] }));
    const p2 = await waitForPod(node, w2, running);
    expect(firstContainer(p2).imageID).toBe(`${host}/team/app@${digest}`);
    const events2 = eventsOf(node, w2);
    expect(events2.filter((e) => e.reason === 'Pulling')).toEqual([]);
    expect(events2.find((e) => e.reason === 'Pulled')?.message).toBe(`Container image "${image}" already present on machine`);
  });

  it('pulls a multi-platform index pushed with skopeo --all: this host\'s image runs, imageID names the index digest', async (ctx) => {
    if (multiPlatformSkipped) ctx.skip(multiPlatformSkipped);
    node = testNode({ crashLoopBackOff: { initialDelayMs: 300, maxContainerRestartPeriodMs: 1000 } });
    const image = `${host}/team/app:multi`;
    const res = await fetch(`http://${host}/v2/team/app/manifests/multi`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(res.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    const digest = await digestOf('team/app', 'multi');
    const w = node.run(podManifest('multi', { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }] }));
    const p = await waitForPod(node, w, running);
    await waitUntil(() => logOf(node!, w, 'app').includes('marker-multi'));
    expect(logOf(node, w, 'app')[0]).toBe('script of team/app:multi ran as 0 in /app');
    expect(firstContainer(p).imageID).toBe(`${host}/team/app@${digest}`);
    expect(eventsOf(node, w).find((e) => e.reason === 'Pulled')?.message).toMatch(/^Successfully pulled image /);
  });

  it('a tag the registry does not have: ErrImagePull saying "not found", then ImagePullBackOff', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 300, maxContainerRestartPeriodMs: 1000 } });
    const image = `${host}/team/app:no-such-tag`;
    const w = node.run(podManifest('missing', { containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }] }));
    const seen: { reason: string; message?: string }[] = [];
    const watch = () => {
      const waiting = firstContainer(w.pod).state?.waiting;
      const last = seen[seen.length - 1];
      if (waiting?.reason && (last?.reason !== waiting.reason || last.message !== waiting.message)) seen.push({ reason: waiting.reason, message: waiting.message });
    };
    node.kubelet.on('pod', watch);
    try {
      watch();
      await waitUntil(() => seen.some((s) => s.reason === 'ImagePullBackOff'), 15_000);
    } finally {
      node.kubelet.off('pod', watch);
    }
    const errIndex = seen.findIndex((s) => s.reason === 'ErrImagePull');
    expect(errIndex, JSON.stringify(seen)).toBeGreaterThanOrEqual(0);
    expect(seen[errIndex].message).toContain('not found');
    expect(seen[errIndex].message).toContain(`Failed to pull image "${image}"`);
    expect(seen.findIndex((s) => s.reason === 'ImagePullBackOff')).toBeGreaterThan(errIndex);
    expect(firstContainer(w.pod).state?.running).toBeUndefined();
    const events = eventsOf(node, w);
    expect(events.some((e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull')).toBe(true);
    expect(events.some((e) => e.reason === 'BackOff' && e.message === `Back-off pulling image "${image}"`)).toBe(true);
  });

  it('`tinylet image pull` prints the reference and the registry digest', async () => {
    const stateDir = mkdtempSync(join(dir, 'cli-state-'));
    const config = join(dir, 'agent-cli.yaml');
    writeFileSync(config, `stateDir: ${stateDir}\n`);
    const digest = await digestOf('team/app', 'v1');
    const r = await run('node', [CLI, 'image', 'pull', `${host}/team/app:v1`, '--config', config], { timeout: 30_000 });
    expect(r.stdout.trim()).toBe(`${host}/team/app:v1 ${digest}`);
    expect(r.stderr).toMatch(/pulled in .*, \d+ bytes/);
  });
});
