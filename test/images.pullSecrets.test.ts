// spec.imagePullSecrets against a registry on 127.0.0.1 that wants Basic auth: a dockerconfigjson (or
// dockercfg) Secret of the pod's namespace lets the pod pull and run; without it the pull fails as the
// registry said; a missing secret gives the kubelet's FailedToRetrieveImagePullSecret warning and the
// pull goes on; concurrent pulls share a download only when they present the same credentials.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultPod } from '../src/api/defaults.js';
import type { Pod, Secret } from '../src/api/types.js';
import { validatePod } from '../src/api/validate.js';
import { credentialAttempts } from '../src/kubelet/images/pullAttempts.js';
import { podPullSecrets, pullSecretCredentials } from '../src/kubelet/images/pullSecrets.js';
import { ImagePullError } from '../src/runtime/images/imageConfig.js';
import { buildImage, busyboxLayer, type BuiltImage } from './helpers/ociImage.js';
import { MemoryObjects } from './helpers/memoryObjects.js';
import { startRegistry, type RegistryFixture } from './helpers/registryFixture.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { firstContainer, podManifest, testNode, waitForPod, type TestNode } from './helpers/testKubelet.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
const DOCKERCFG = 'kubernetes.io/dockercfg';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinylet-pullsecrets-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

function push(reg: RegistryFixture, name: string, tag: string, image: BuiltImage): void {
  for (const b of [image.configBytes, ...image.layers.map((l) => l.bytes)]) reg.putBlob(b);
  reg.putManifest(name, tag, image.manifestBytes, image.manifestMediaType);
}

interface Setup {
  reg: RegistryFixture;
  node: TestNode;
  objects: MemoryObjects;
  ref: string;
  /** The node's credentials file (no auths until a test writes some): never the machine's own ~/.docker/config.json. */
  nodeFile: string;
}

/** A Basic-auth registry (bob / pw) with team/private:v1, and a node whose objects are in memory. */
async function setup(opts: { serializeImagePulls?: boolean } = {}): Promise<Setup> {
  const reg = await startRegistry({ auth: { type: 'basic', username: 'bob', password: 'pw' } });
  cleanups.push(() => reg.close());
  push(reg, 'team/private', 'v1', buildImage({ layers: [busyboxLayer([{ name: 'MSG', content: 'private image\n' }])], config: { Cmd: ['cat', '/MSG'], Env: ['PATH=/bin'] } }));
  const nodeFile = tempFile('config.json', JSON.stringify({ auths: {} }));
  const node = testNode({ registries: { hosts: {}, credentialsFile: nodeFile }, crashLoopBackOff: { initialDelayMs: 1500, maxContainerRestartPeriodMs: 3000 }, ...(opts.serializeImagePulls === false ? { serializeImagePulls: false } : {}) });
  cleanups.push(() => node.cleanup());
  const objects = new MemoryObjects();
  node.kubelet.objects = objects;
  return { reg, node, objects, ref: `${reg.host}/team/private:v1`, nodeFile };
}

const dockerConfigJson = (host: string, user: string, pass: string) => JSON.stringify({ auths: { [host]: { auth: b64(`${user}:${pass}`) } } });

function privatePod(name: string, ref: string, secrets?: string[]): Pod {
  return podManifest(name, {
    restartPolicy: 'Never',
    ...(secrets ? { imagePullSecrets: secrets.map((s) => ({ name: s })) } : {}),
    containers: [{ name: 'c', image: ref, imagePullPolicy: 'IfNotPresent' }],
  });
}

const terminated = (p: Pod) => firstContainer(p).state?.terminated !== undefined;
const errImagePull = (p: Pod) => firstContainer(p).state?.waiting?.reason === 'ErrImagePull';

describe('imagePullSecrets', () => {
  it('a pod naming a dockerconfigjson Secret pulls from the Basic-auth registry and runs', async () => {
    const s = await setup();
    s.objects.putSecret('regcred', { '.dockerconfigjson': dockerConfigJson(s.reg.host, 'bob', 'pw') }, 'default', DOCKER_CONFIG_JSON);
    const w = s.node.run(privatePod('with-secret', s.ref, ['regcred']));
    const p = await waitForPod(s.node, w, terminated);
    expect(firstContainer(p).state!.terminated!.exitCode).toBe(0);
    expect(logOf(s.node, w, 'c')).toEqual(['private image']);
    const reasons = eventsOf(s.node, w).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Pulling', 'Pulled']));
    expect(reasons).not.toContain('FailedToRetrieveImagePullSecret');
    expect(s.reg.requests.some((r) => r.status === 200 && r.authorization === `Basic ${b64('bob:pw')}`)).toBe(true);
  });

  it('a kubernetes.io/dockercfg Secret (the auths object alone, username and password) works too', async () => {
    const s = await setup();
    s.objects.putSecret('legacy', { '.dockercfg': JSON.stringify({ [`http://${s.reg.host}`]: { username: 'bob', password: 'pw' } }) }, 'default', DOCKERCFG);
    const w = s.node.run(privatePod('dockercfg', s.ref, ['legacy']));
    await waitForPod(s.node, w, terminated);
    expect(logOf(s.node, w, 'c')).toEqual(['private image']);
  });

  it('without the secret: ErrImagePull with the registry\'s demand for credentials', async () => {
    const s = await setup();
    const w = s.node.run(privatePod('no-secret', s.ref));
    const p = await waitForPod(s.node, w, errImagePull);
    const n = s.ref;
    expect(firstContainer(p).state!.waiting!.message).toBe(
      `Failed to pull image "${s.ref}": rpc error: code = Unknown desc = failed to pull and unpack image "${n}": failed to resolve reference "${n}": ` +
        `${s.reg.host} requires a username and password (Basic authentication): no credentials for ${s.reg.host} were found (looked in ${s.nodeFile})`,
    );
    // The registry answered 401 and nothing else.
    expect(s.reg.requests.map((r) => r.status)).toEqual(expect.arrayContaining([401]));
    expect(s.reg.requests.every((r) => r.status === 401)).toBe(true);
  });

  it('a secret in another namespace is not the pod\'s; an Opaque one gives no credentials', async () => {
    const s = await setup();
    s.objects.putSecret('regcred', { '.dockerconfigjson': dockerConfigJson(s.reg.host, 'bob', 'pw') }, 'other', DOCKER_CONFIG_JSON);
    s.objects.putSecret('opaque', { '.dockerconfigjson': dockerConfigJson(s.reg.host, 'bob', 'pw') });
    const w = s.node.run(privatePod('elsewhere', s.ref, ['regcred', 'opaque']));
    const p = await waitForPod(s.node, w, errImagePull);
    expect(firstContainer(p).state!.waiting!.message).toContain('requires a username and password (Basic authentication)');
    const warning = eventsOf(s.node, w).find((e) => e.reason === 'FailedToRetrieveImagePullSecret');
    expect(warning?.message).toBe('Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.');
  });

  it('a missing secret: the FailedToRetrieveImagePullSecret warning on the pod, and the pull goes on with the others', async () => {
    const s = await setup();
    s.objects.putSecret('regcred', { '.dockerconfigjson': dockerConfigJson(s.reg.host, 'bob', 'pw') }, 'default', DOCKER_CONFIG_JSON);
    const w = s.node.run(privatePod('missing', s.ref, ['gone', '', 'regcred', 'also-gone']));
    await waitForPod(s.node, w, terminated);
    expect(logOf(s.node, w, 'c')).toEqual(['private image']);
    const warning = eventsOf(s.node, w).find((e) => e.reason === 'FailedToRetrieveImagePullSecret');
    // The empty name is skipped silently, as the kubelet does.
    expect(warning?.message).toBe('Unable to retrieve some image pull secrets (gone, also-gone); attempting to pull the image may not succeed.');
    expect(warning?.fieldPath).toBeUndefined();
  });

  it('only a missing secret: the warning, then the pull made without it fails', async () => {
    const s = await setup();
    const w = s.node.run(privatePod('only-missing', s.ref, ['gone']));
    await waitForPod(s.node, w, errImagePull);
    const events = eventsOf(s.node, w);
    const warn = events.findIndex((e) => e.reason === 'FailedToRetrieveImagePullSecret');
    expect(events[warn]?.message).toBe('Unable to retrieve some image pull secrets (gone); attempting to pull the image may not succeed.');
    expect(warn).toBeLessThan(events.findIndex((e) => e.reason === 'Pulling'));
  });

  it("the secret's credentials are tried before the node's, and the node's after them when they are refused", async () => {
    const s = await setup();
    // The node's file has the good password; the secret a stale one.
    writeFileSync(s.nodeFile, dockerConfigJson(s.reg.host, 'bob', 'pw'));
    s.objects.putSecret('stale', { '.dockerconfigjson': dockerConfigJson(s.reg.host, 'bob', 'old') }, 'default', DOCKER_CONFIG_JSON);
    const w = s.node.run(privatePod('fallback', s.ref, ['stale']));
    await waitForPod(s.node, w, terminated);
    expect(logOf(s.node, w, 'c')).toEqual(['private image']);
    const auths = s.reg.requests.map((r) => r.authorization).filter(Boolean);
    expect(auths[0]).toBe(`Basic ${b64('bob:old')}`);
    expect(auths).toContain(`Basic ${b64('bob:pw')}`);
  });

  it('every attempt refused: the errors aggregated as the kubelet prints them', async () => {
    const s = await setup();
    writeFileSync(s.nodeFile, dockerConfigJson(s.reg.host, 'bob', 'node-wrong'));
    s.objects.putSecret('stale', { '.dockerconfigjson': dockerConfigJson(s.reg.host, 'bob', 'old') }, 'default', DOCKER_CONFIG_JSON);
    const w = s.node.run(privatePod('refused', s.ref, ['stale']));
    const p = await waitForPod(s.node, w, errImagePull);
    const denied = `rpc error: code = Unknown desc = failed to pull and unpack image "${s.ref}": failed to resolve reference "${s.ref}": pull access denied, repository does not exist or may require authorization: server message: UNAUTHORIZED: authentication required`;
    expect(firstContainer(p).state!.waiting!.message).toBe(`Failed to pull image "${s.ref}": [${denied}, ${denied}]`);
  });

  it('a malformed dockerconfigjson fails the pull, naming the secret', async () => {
    const s = await setup();
    s.objects.putSecret('broken', { '.dockerconfigjson': JSON.stringify({ auths: { [s.reg.host]: { auth: b64('no-colon') } } }) }, 'default', DOCKER_CONFIG_JSON);
    const w = s.node.run(privatePod('broken', s.ref, ['broken']));
    const p = await waitForPod(s.node, w, errImagePull);
    expect(firstContainer(p).state!.waiting!.message).toBe(
      `Failed to pull image "${s.ref}": secret default/broken (.dockerconfigjson): auths["${s.reg.host}"].auth: must be base64 of "username:password"`,
    );
    expect(s.reg.requests).toEqual([]);
  });
});

describe('pull dedup and pull secrets', () => {
  const secret = (host: string, pass: string): Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'regcred', namespace: 'default' },
    type: DOCKER_CONFIG_JSON,
    data: { '.dockerconfigjson': b64(dockerConfigJson(host, 'bob', pass)) },
  });
  const outcome = (p: Promise<unknown>) => p.then(
    () => 'pulled',
    (e: unknown) => (e instanceof ImagePullError ? 'ImagePullError' : String(e)),
  );

  it('a concurrent pull without the secret does not join the pull with it: it fails on its own', async () => {
    const s = await setup({ serializeImagePulls: false });
    const images = s.node.kubelet.images;
    const report = () => {};
    // Both start in one tick: the second would join the first if credentials were not part of the key.
    const withSecret = outcome(images.ensureImageExists(s.ref, 'IfNotPresent', report, [secret(s.reg.host, 'pw')]));
    const without = outcome(images.ensureImageExists(s.ref, 'IfNotPresent', report, []));
    expect(await Promise.all([withSecret, without])).toEqual(['pulled', 'ImagePullError']);
    // Kubernetes' known behaviour, kept: once present, IfNotPresent gives it to a pod without the secret.
    expect(await outcome(images.ensureImageExists(s.ref, 'IfNotPresent', report, []))).toBe('pulled');
    // ...but Always asks the registry with the pod's own credentials (none), which refuses.
    expect(await outcome(images.ensureImageExists(s.ref, 'Always', report, []))).toBe('ImagePullError');
  });

  it('concurrent pulls with the same credentials (secrets of other names too) share one download', async () => {
    const s = await setup({ serializeImagePulls: false });
    const images = s.node.kubelet.images;
    const other = { ...secret(s.reg.host, 'pw'), metadata: { name: 'copy', namespace: 'default' } };
    const results = await Promise.all([
      outcome(images.ensureImageExists(s.ref, 'Always', () => {}, [secret(s.reg.host, 'pw')])),
      outcome(images.ensureImageExists(s.ref, 'Always', () => {}, [other])),
    ]);
    expect(results).toEqual(['pulled', 'pulled']);
    // config + 1 layer, each fetched once (200s only: the 401s are the auth dance).
    expect(s.reg.requests.filter((r) => r.path.includes('/blobs/') && r.status === 200)).toHaveLength(2);
  });
});

describe('pull secret helpers and validation', () => {
  it('podPullSecrets: the pod namespace, in order, empty names skipped, missing named', () => {
    const objects = new MemoryObjects();
    objects.putSecret('a', { '.dockercfg': '{}' }, 'team', DOCKERCFG);
    objects.putSecret('b', {}, 'default');
    const pod = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team' }, spec: { imagePullSecrets: [{ name: 'b' }, { name: '' }, { name: 'a' }], containers: [{ name: 'c', image: 'x' }] } });
    const r = podPullSecrets(pod, objects);
    expect(r.secrets.map((s) => s.metadata?.name)).toEqual(['a']);
    expect(r.missing).toEqual(['b']);
  });

  it('pullSecretCredentials: the two docker types only; dockerconfigjson reads auths, dockercfg is auths', () => {
    const mk = (name: string, type: string, data: Record<string, string>): Secret => ({ metadata: { name, namespace: 'ns' }, type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
    const creds = pullSecretCredentials([
      mk('opaque', 'Opaque', { '.dockerconfigjson': dockerConfigJson('a.io', 'u', 'p') }),
      mk('json', DOCKER_CONFIG_JSON, { '.dockerconfigjson': dockerConfigJson('https://index.docker.io/v1/', 'hub', 'p1') }),
      mk('cfg', DOCKERCFG, { '.dockercfg': JSON.stringify({ 'b.io': { auth: b64('cu:cp'), email: 'x@y' } }) }),
      mk('wrong-key', DOCKERCFG, { '.dockerconfigjson': dockerConfigJson('c.io', 'u', 'p') }),
      mk('no-auths', DOCKER_CONFIG_JSON, { '.dockerconfigjson': JSON.stringify({ 'd.io': { auth: b64('u:p') } }) }),
    ]);
    expect(creds).toEqual([
      { host: 'docker.io', username: 'hub', password: 'p1', source: 'secret ns/json (.dockerconfigjson)' },
      { host: 'b.io', username: 'cu', password: 'cp', source: 'secret ns/cfg (.dockercfg)' },
    ]);
    expect(() => pullSecretCredentials([mk('bad', DOCKERCFG, { '.dockercfg': '{' })])).toThrow(/^secret ns\/bad: \.dockercfg: not valid JSON/);
  });

  it('credentialAttempts: each secret entry for the registry, then the node only if it has one; other hosts ride along', () => {
    const c = (host: string, username: string) => ({ host, username, password: 'p', source: 's' });
    const none = tempFile('none.json', '{}');
    const has = tempFile('has.json', JSON.stringify({ auths: { 'r.io': { auth: b64('n:p') } } }));
    const mirror = c('m.io', 'mirror');
    expect(credentialAttempts('r.io', [], none)).toEqual([[]]);
    expect(credentialAttempts('r.io', [mirror], none)).toEqual([[mirror]]);
    expect(credentialAttempts('r.io', [c('r.io', 'a'), mirror, c('r.io', 'b')], none)).toEqual([[c('r.io', 'a'), mirror], [c('r.io', 'b'), mirror]]);
    expect(credentialAttempts('r.io', [c('r.io', 'a')], has)).toEqual([[c('r.io', 'a')], []]);
  });

  it('validation accepts imagePullSecrets (no not-implemented error) and checks its shape', () => {
    const pod = (refs: unknown[]) => defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { imagePullSecrets: refs, containers: [{ name: 'c', image: 'busybox' }] } } as Pod);
    const ok = validatePod(pod([{ name: 'regcred' }, { name: '' }]));
    expect(ok.errors).toEqual([]);
    expect(ok.warnings).toEqual([]);
    const bad = validatePod(pod([{ nam: 'typo' }, { name: 3 }]));
    expect(bad.errors.map((e) => e.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^spec\.imagePullSecrets\[0\]/), 'spec.imagePullSecrets[1].name']));
  });
});
