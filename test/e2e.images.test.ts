// Real OCI images, loaded from archives and run as pods: the image config decides the process
// (ENTRYPOINT/CMD, Env, WorkingDir, USER, STOPSIGNAL), the image's own root is the container's, and
// the layers are applied as the image-spec says (whiteouts, opaque dirs, hard links, escapes).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { loadImages } from '../src/runtime/images/archive/loadArchive.js';
import { buildImage, busyboxLayer, hostArchitecture, otherArchitecture, writeDockerSave, writeOciLayout, type BuiltImage } from './helpers/ociImage.js';
import { MT, startRegistry, type RegistryFixture } from './helpers/registryFixture.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { firstContainer, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const dir = mkdtempSync(join(tmpdir(), 'tinylet-e2e-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const terminated = (p: Pod) => firstContainer(p).state?.terminated !== undefined;
const running = (p: Pod) => firstContainer(p).state?.running !== undefined;

/** The image's script: prints what decides a process, then waits for its STOPSIGNAL (USR1). */
const SCRIPT = `#!/bin/sh
echo "args=$*"
echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"
echo "pwd=$(pwd)"
echo "greeting=$GREETING from_image=$FROM_IMAGE home=$HOME"
echo "usr=$(ls /usr 2>&1 | head -1)"
trap 'echo "got USR1, exiting"; exit 0' USR1
trap 'echo "got TERM (wrong signal)"; exit 3' TERM
while true; do sleep 0.1; done
`;

function appImage(): BuiltImage {
  return buildImage({
    layers: [busyboxLayer([{ name: 'app/' }, { name: 'app/run.sh', content: SCRIPT, mode: 0o755 }])],
    config: {
      Entrypoint: ['/app/run.sh'],
      Cmd: ['from-cmd'],
      Env: ['PATH=/bin', 'GREETING=image-value', 'FROM_IMAGE=yes'],
      User: 'app',
      WorkingDir: '/home/app',
      StopSignal: 'SIGUSR1',
    },
  });
}

async function load(node: TestNode, path: string) {
  return loadImages(path, node.kubelet.images.store);
}

describe('images loaded from archives', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('a docker-save image runs as its config says: ENTRYPOINT+CMD, Env under the container env, WORKDIR, USER, STOPSIGNAL, its own root', async () => {
    node = testNode();
    const image = appImage();
    const archive = join(dir, 'app-legacy.tar');
    writeDockerSave(archive, [{ image, tags: ['example.com/team/app:v1'] }], 'legacy');
    const [stored] = await load(node, archive);
    expect(stored!.reference).toBe('example.com/team/app:v1');
    const w = node.run(
      podManifest('app', {
        terminationGracePeriodSeconds: 5,
        containers: [{ name: 'app', image: 'example.com/team/app:v1', imagePullPolicy: 'IfNotPresent', env: [{ name: 'GREETING', value: 'from-pod' }] }],
      }),
    );
    const p = await waitForPod(node, w, running);
    await waitUntil(() => logOf(node, w, 'app').some((l) => l.startsWith('usr=')));
    const log = logOf(node, w, 'app');
    expect(log).toEqual([
      'args=from-cmd',
      'uid=1000 gid=1000 groups=1000',
      'pwd=/home/app',
      'greeting=from-pod from_image=yes home=/home/app',
      // The image has no /usr: the host's is nowhere in the container.
      'usr=ls: /usr: No such file or directory',
    ]);
    expect(firstContainer(p).imageID).toBe(image.configDigest);
    expect(firstContainer(p).image).toBe('example.com/team/app:v1');
    const pulled = eventsOf(node, w).find((e) => e.reason === 'Pulled');
    expect(pulled?.message).toBe('Container image "example.com/team/app:v1" already present on machine');
    await node.kubelet.deletePod(w.pod.metadata!.namespace!, 'app', { gracePeriodSeconds: 5 });
    const done = await waitForPod(node, w, terminated);
    expect(firstContainer(done).state!.terminated!.exitCode).toBe(0);
    expect(logOf(node, w, 'app')).toContain('got USR1, exiting');
    expect(eventsOf(node, w).find((e) => e.reason === 'Signal')?.message).toMatch(/^Sent SIGUSR1 to container app/);
  });

  it('command and args replace ENTRYPOINT and CMD; securityContext.runAsUser overrides USER', async () => {
    node = testNode();
    const archive = join(dir, 'app-oci.tar');
    writeDockerSave(archive, [{ image: appImage(), tags: ['app:v2'] }], 'oci');
    await load(node, archive);
    const w = node.run(
      podManifest('override', {
        restartPolicy: 'Never',
        containers: [
          { name: 'args', image: 'app:v2', imagePullPolicy: 'Never', args: ['a', 'b'], securityContext: { runAsUser: 0, runAsGroup: 0 } },
          { name: 'cmd', image: 'docker.io/library/app:v2', imagePullPolicy: 'Never', command: ['/bin/sh', '-c', 'echo "cmd $(id -u) $(pwd)"'] },
        ],
      }),
    );
    await waitForPod(node, w, (p) => (p.status?.containerStatuses ?? []).filter((s) => s.state?.terminated || s.state?.running).length === 2);
    await waitUntil(() => logOf(node, w, 'args').some((l) => l.startsWith('usr=')) && logOf(node, w, 'cmd').length > 0);
    expect(logOf(node, w, 'args').slice(0, 2)).toEqual(['args=a b', 'uid=0 gid=0 groups=0']);
    expect(logOf(node, w, 'cmd')).toEqual(['cmd 1000 /home/app']);
  });

  it('layers apply as the image-spec says: whiteouts and opaque dirs hide, hard links share an inode, a symlink cannot lead a layer out', async () => {
    node = testNode();
    const marker = `tinylet-escape-${randomBytes(4).toString('hex')}`;
    const image = buildImage({
      layers: [
        busyboxLayer([
          { name: 'data/' },
          { name: 'data/gone.txt', content: 'lower' },
          { name: 'data/gonedir/' },
          { name: 'data/gonedir/f', content: 'lower' },
          { name: 'data/opaque/' },
          { name: 'data/opaque/old.txt', content: 'lower' },
        ]),
        [
          { name: 'data/.wh.gone.txt' },
          { name: 'data/.wh.gonedir' },
          { name: 'data/opaque/new.txt', content: 'upper' },
          { name: 'data/opaque/.wh..wh..opq' },
          { name: 'data/original', content: 'shared\n' },
          { name: 'data/hardlink', type: 'link', linkname: 'data/original' },
          { name: 'data/sym', type: 'symlink', linkname: 'original' },
          { name: 'evil', type: 'symlink', linkname: '/etc' },
          { name: `evil/${marker}`, content: 'escaped?' },
          { name: 'up', type: 'symlink', linkname: '../../../../../../tmp' },
          { name: `up/${marker}`, content: 'escaped?' },
        ],
      ],
      config: { Cmd: ['/bin/sh', '-c', 'ls -A /data /data/opaque; stat -c "%i %h" /data/original /data/hardlink; cat /data/sym; ls /etc/' + marker + ' /tmp/' + marker], Env: ['PATH=/bin'] },
    });
    const layout = join(dir, 'layers-layout');
    writeOciLayout(layout, [{ image, ref: 'localhost/layers:v1' }], { nested: true });
    await load(node, layout);
    const w = node.run(podManifest('layers', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'localhost/layers:v1' }] }));
    const p = await waitForPod(node, w, terminated);
    expect(firstContainer(p).state!.terminated!.exitCode).toBe(0);
    const log = logOf(node, w, 'c');
    expect(log.slice(0, log.indexOf('/data/opaque:'))).toEqual(['/data:', 'hardlink', 'opaque', 'original', 'sym', '']);
    expect(log[log.indexOf('/data/opaque:') + 1]).toBe('new.txt');
    const [a, b] = log.filter((l) => /^\d+ \d+$/.test(l));
    expect(a).toBe(b);
    expect(a!.split(' ')[1]).toBe('2');
    expect(log).toContain('shared');
    // The escapes landed inside the image's root, where the symlinks lead when resolved in it.
    expect(log).toContain(`/etc/${marker}`);
    expect(log).toContain(`/tmp/${marker}`);
    expect(existsSync(`/etc/${marker}`)).toBe(false);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it('imagePullPolicy Never: ErrImageNeverPull while the image is missing, then it starts once loaded', async () => {
    node = testNode({ crashLoopBackOff: { initialDelayMs: 300, maxContainerRestartPeriodMs: 1000 } });
    const w = node.run(podManifest('never', { containers: [{ name: 'c', image: 'late:v1', imagePullPolicy: 'Never', command: ['sleep', '30'] }] }));
    const p = await waitForPod(node, w, (x) => firstContainer(x).state?.waiting?.reason === 'ErrImageNeverPull');
    expect(firstContainer(p).state!.waiting!.message).toBe('Container image "late:v1" is not present with pull policy of Never');
    const reasons = eventsOf(node, w).map((e) => `${e.reason}: ${e.message}`);
    expect(reasons).toContain('ErrImageNeverPull: Container image "late:v1" is not present with pull policy of Never');
    expect(reasons).toContain('Failed: Error: ErrImageNeverPull');
    const archive = join(dir, 'late.tar');
    writeDockerSave(archive, [{ image: buildImage({ layers: [busyboxLayer()], config: { Env: ['PATH=/bin'] } }), tags: ['late:v1'] }], 'legacy');
    await load(node, archive);
    await waitForPod(node, w, running);
  });

  it('a pulled or loaded image of a built-in name takes precedence over the host-backed one', async () => {
    node = testNode();
    const host = node.run(podManifest('host', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.28', command: ['sh', '-c', 'test -e /usr/bin && echo host-root'] }] }));
    const hp = await waitForPod(node, host, terminated);
    expect(firstContainer(hp).imageID).toMatch(/^tinylet-host:\/\/docker.io\/library\/busybox@sha256:/);
    expect(logOf(node, host, 'c')).toEqual(['host-root']);
    const image = buildImage({ layers: [busyboxLayer([{ name: 'IMAGE', content: 'real busybox image\n' }])], config: { Cmd: ['sh'], Env: ['PATH=/bin'] } });
    const archive = join(dir, 'busybox.tar');
    writeDockerSave(archive, [{ image, tags: ['busybox:1.28'] }], 'legacy');
    await load(node, archive);
    const real = node.run(podManifest('real', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.28', command: ['cat', '/IMAGE'] }] }));
    const rp = await waitForPod(node, real, terminated);
    expect(firstContainer(rp).imageID).toBe(image.configDigest);
    expect(logOf(node, real, 'c')).toEqual(['real busybox image']);
  });
});

/** A built image into the fixture registry: its blobs, and its manifest under the tag. */
function push(reg: RegistryFixture, name: string, tag: string, image: BuiltImage): void {
  for (const b of [image.configBytes, ...image.layers.map((l) => l.bytes)]) reg.putBlob(b);
  reg.putManifest(name, tag, image.manifestBytes, image.manifestMediaType);
}

/** The same image for the host and for another platform, in an OCI index under the tag; its digest. */
function pushMultiPlatform(reg: RegistryFixture, name: string, tag: string, image: BuiltImage): string {
  push(reg, name, image.manifestDigest, image);
  const other = buildImage({ layers: [[{ name: 'OTHER', content: 'wrong platform' }]], architecture: otherArchitecture() });
  push(reg, name, other.manifestDigest, other);
  const desc = (i: BuiltImage, platform: object) => ({ mediaType: i.manifestMediaType, digest: i.manifestDigest, size: i.manifestBytes.length, platform });
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [desc(other, { os: 'linux', architecture: otherArchitecture() }), desc(image, { os: 'linux', architecture: hostArchitecture() })] }),
  );
  return reg.putManifest(name, tag, index, MT.ociIndex);
}

const PULLED = /^Successfully pulled image "(.+)" in (\d+(\.\d+)?(ms|s)) \((\d+(\.\d+)?(ms|s)) including waiting\)\. Image size: (\d+) bytes\.$/;

describe('images pulled from a registry', () => {
  let node: TestNode;
  let reg: RegistryFixture;
  afterEach(async () => {
    await node?.cleanup();
    await reg?.close();
  });
  const web = () =>
    buildImage({ layers: [busyboxLayer(), [{ name: 'srv/' }, { name: 'srv/hello', content: 'hello from the registry\n' }]], config: { Cmd: ['cat', '/srv/hello'], Env: ['PATH=/bin'], ExposedPorts: { '8080/tcp': {} } } });

  it('IfNotPresent pulls once (token auth, the host platform of an index), then finds it present; Always asks the registry again', async () => {
    reg = await startRegistry({ auth: { type: 'bearer' } });
    node = testNode();
    const image = web();
    const indexDigest = pushMultiPlatform(reg, 'team/web', 'v1', image);
    const ref = `${reg.host}/team/web:v1`;
    const first = node.run(podManifest('first', { restartPolicy: 'Never', containers: [{ name: 'c', image: ref, imagePullPolicy: 'IfNotPresent' }] }));
    const p = await waitForPod(node, first, terminated);
    expect(logOf(node, first, 'c')).toEqual(['hello from the registry']);
    expect(firstContainer(p).imageID).toBe(`${reg.host}/team/web@${indexDigest}`);
    const events = eventsOf(node, first).filter((e) => e.fieldPath === 'spec.containers{c}');
    expect(events.slice(0, 2).map((e) => e.reason)).toEqual(['Pulling', 'Pulled']);
    expect(events[0]!.message).toBe(`Pulling image "${ref}"`);
    const m = PULLED.exec(events[1]!.message)!;
    expect(m?.[1]).toBe(ref);
    const layerBytes = image.layers.reduce((n, l) => n + l.size, 0);
    expect(Number(m[8])).toBeGreaterThan(layerBytes);
    expect(eventsOf(node, first).find((e) => e.reason === 'ProcessStarted')?.message).toMatch(/; image pulled, exposes 8080\/tcp$/);
    const blobGets = reg.count('/v2/team/web/blobs/');

    const again = node.run(podManifest('again', { restartPolicy: 'Never', containers: [{ name: 'c', image: ref, imagePullPolicy: 'IfNotPresent' }] }));
    await waitForPod(node, again, terminated);
    expect(eventsOf(node, again).find((e) => e.reason === 'Pulled')?.message).toBe(`Container image "${ref}" already present on machine`);
    expect(eventsOf(node, again).some((e) => e.reason === 'Pulling')).toBe(false);

    const manifestGets = reg.count('/v2/team/web/manifests/');
    const always = node.run(podManifest('always', { restartPolicy: 'Never', containers: [{ name: 'c', image: ref, imagePullPolicy: 'Always' }] }));
    await waitForPod(node, always, terminated);
    expect(eventsOf(node, always).map((e) => e.reason)).toEqual(expect.arrayContaining(['Pulling', 'Pulled']));
    expect(PULLED.test(eventsOf(node, always).find((e) => e.reason === 'Pulled')!.message)).toBe(true);
    // The registry was asked again, but nothing already present was downloaded twice.
    expect(reg.count('/v2/team/web/manifests/')).toBeGreaterThan(manifestGets);
    expect(reg.count('/v2/team/web/blobs/')).toBe(blobGets);
  });

  it('two pods needing the same image at once share one download', async () => {
    reg = await startRegistry();
    node = testNode({ serializeImagePulls: false });
    push(reg, 'team/web', 'v2', web());
    const ref = `${reg.host}/team/web:v2`;
    const pods = ['a', 'b'].map((n) => node.run(podManifest(n, { restartPolicy: 'Never', containers: [{ name: 'c', image: ref }] })));
    for (const w of pods) await waitForPod(node, w, terminated);
    for (const w of pods) expect(logOf(node, w, 'c')).toEqual(['hello from the registry']);
    // config + 2 layers, each fetched once
    expect(reg.count('/v2/team/web/blobs/')).toBe(3);
  });

  it('a tag the registry does not have: ErrImagePull with containerd\'s NotFound, then ImagePullBackOff', async () => {
    reg = await startRegistry();
    node = testNode({ crashLoopBackOff: { initialDelayMs: 1500, maxContainerRestartPeriodMs: 3000 } });
    const ref = `${reg.host}/team/nope:v1`;
    const w = node.run(podManifest('nope', { containers: [{ name: 'c', image: ref }] }));
    const p = await waitForPod(node, w, (x) => firstContainer(x).state?.waiting?.reason === 'ErrImagePull');
    const n = `${reg.host}/team/nope:v1`;
    const expected = `Failed to pull image "${ref}": rpc error: code = NotFound desc = failed to pull and unpack image "${n}": failed to resolve reference "${n}": ${n}: not found`;
    expect(firstContainer(p).state!.waiting!.message).toBe(expected);
    await waitForPod(node, w, (x) => firstContainer(x).state?.waiting?.reason === 'ImagePullBackOff');
    const reasons = eventsOf(node, w).map((e) => `${e.reason}: ${e.message}`);
    expect(reasons).toEqual(expect.arrayContaining([`Pulling: Pulling image "${ref}"`, `Failed: ${expected}`, 'Failed: Error: ErrImagePull', `BackOff: Back-off pulling image "${ref}"`, 'Failed: Error: ImagePullBackOff']));
  });

  it('a corrupted layer is refused: ErrImagePull naming the digest mismatch, nothing tagged, nothing of it kept', async () => {
    reg = await startRegistry();
    node = testNode();
    const image = web();
    push(reg, 'team/bad', 'v1', image);
    reg.corruptBlob(image.layers[1]!.digest);
    const w = node.run(podManifest('bad', { containers: [{ name: 'c', image: `${reg.host}/team/bad:v1` }] }));
    const p = await waitForPod(node, w, (x) => firstContainer(x).state?.waiting?.reason === 'ErrImagePull');
    expect(firstContainer(p).state!.waiting!.message).toMatch(/digest mismatch/);
    const store = node.kubelet.images.store;
    expect(store.list()).toEqual([]);
    expect(store.blobs.has(image.layers[1]!.digest)).toBe(false);
  });

  it('builtinImages: false pulls busybox:1.28 too, through the docker.io mirror of the agent config', async () => {
    reg = await startRegistry();
    const image = buildImage({ layers: [busyboxLayer([{ name: 'FROM_MIRROR', content: 'mirror\n' }])], config: { Cmd: ['sh'], Env: ['PATH=/bin'] } });
    push(reg, 'library/busybox', '1.28', image);
    node = testNode({ builtinImages: false, registries: { hosts: { 'docker.io': { mirrors: [reg.url] } } } });
    const w = node.run(podManifest('mirror', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.28', command: ['cat', '/FROM_MIRROR'] }] }));
    const p = await waitForPod(node, w, terminated);
    expect(logOf(node, w, 'c')).toEqual(['mirror']);
    expect(firstContainer(p).imageID).toBe(`docker.io/library/busybox@${image.manifestDigest}`);
    expect(firstContainer(p).image).toBe('docker.io/library/busybox:1.28');
  });
});
