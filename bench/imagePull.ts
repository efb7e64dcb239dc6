import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { defaultPod } from '../src/api/defaults.js';
import type { AgentConfig } from '../src/kubelet/config.js';
import { Kubelet } from '../src/kubelet/kubelet.js';
import type { PodWorker } from '../src/kubelet/podWorker.js';
import { packTar, type TarInput } from '../src/runtime/images/tar/tarWriter.js';
import { median } from './util.js';
import { hostPlatform } from '../src/runtime/images/archive/platformChoice.js';

const REGISTRY_BIN = '/usr/bin/docker-registry';
const SKOPEO_BIN = '/usr/bin/skopeo';
const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MT_INDEX = 'application/vnd.oci.image.index.v1+json';

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Image {
  /** Blobs by digest: gzip layers, the config, the manifest. */
  blobs: Map<string, Buffer>;
  manifest: Buffer;
  /** Config plus layers as stored (compressed): what the kubelet reports as the image size. */
  size: number;
}

/** Deterministic bytes, about half of them random: gzip brings each layer to roughly 55% of its size. */
function compressibleData(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i += 64) {
    for (let j = i; j < Math.min(i + 32, bytes); j++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[j] = x & 0xff;
    }
    out.write('tinylet-bench-compressible-pad.', i + 32, Math.min(32, Math.max(0, bytes - i - 32)));
  }
  return out;
}

/** Five gzip layers: busybox (sh, echo, sleep) and four data layers of 2-5 MB before compression. */
function benchImage(): Image {
  const applets = ['sh', 'echo', 'sleep', 'cat'];
  const layers: TarInput[][] = [
    [
      { name: 'bin/' },
      { name: 'bin/busybox', content: readFileSync('/bin/busybox'), mode: 0o755 },
      ...applets.map((a): TarInput => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
      { name: 'etc/' },
      { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
      { name: 'tmp/', mode: 0o1777 },
    ],
    ...[2, 3, 4, 5].map((mb, i): TarInput[] => [{ name: `data${i}/` }, { name: `data${i}/blob.bin`, content: compressibleData(mb << 20, 0x9e3779b9 * (i + 1)) }]),
  ];
  const blobs = new Map<string, Buffer>();
  const descs = layers.map((entries) => {
    const tar = packTar(entries);
    const gz = gzipSync(tar);
    blobs.set(sha256(gz), gz);
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(gz), size: gz.length, diffID: sha256(tar) };
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: hostPlatform().architecture,
      os: 'linux',
      config: { Cmd: ['/bin/sh', '-c', 'echo first-line; exec sleep 3600'], Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: descs.map((d) => d.diffID) },
    }),
  );
  blobs.set(sha256(config), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: descs.map(({ diffID: _d, ...d }) => d),
    }),
  );
  blobs.set(sha256(manifest), manifest);
  return { blobs, manifest, size: config.length + descs.reduce((n, d) => n + d.size, 0) };
}

/** The image as an OCI image layout directory, `tag` its ref name (what `skopeo copy oci:DIR:TAG` reads). */
function writeLayout(dir: string, image: Image, tag: string): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [digest, bytes] of image.blobs) writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  const desc = { mediaType: MT_MANIFEST, digest: sha256(image.manifest), size: image.manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MT_INDEX, manifests: [desc] }));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Registry {
  host: string;
  kind: string;
  stop(): Promise<void>;
}

/** Debian's docker-registry on 127.0.0.1, filled by skopeo from an OCI layout. */
async function realRegistry(dir: string, image: Image, repo: string, tag: string): Promise<Registry> {
  const host = `127.0.0.1:${await freePort()}`;
  const config = join(dir, 'registry.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'registry-storage')}\nhttp:\n  addr: ${host}\n  secret: tinylet-bench\n`,
  );
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    const until = Date.now() + 10_000;
    while (!(await fetch(`http://${host}/v2/`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`docker-registry did not start on ${host}:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const layout = join(dir, 'layout');
    writeLayout(layout, image, tag);
    await promisify(execFile)(SKOPEO_BIN, ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${host}/${repo}:${tag}`], { timeout: 60_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, kind: 'docker-registry + skopeo', stop };
}

/** Without docker-registry: the pull side of the distribution API in this process, from memory. */
async function inProcessRegistry(image: Image, repo: string, tag: string): Promise<Registry> {
  const manifestDigest = sha256(image.manifest);
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v2/' || path === '/v2') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    const ref = m?.[1] === repo ? (m[2] === 'manifests' && m[3] === tag ? manifestDigest : m[3]) : undefined;
    const body = ref === undefined ? undefined : image.blobs.get(ref);
    if (!body || (m![2] === 'manifests' && ref !== manifestDigest)) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND","message":"not found"}]}');
    res.writeHead(200, { 'content-type': m![2] === 'manifests' ? MT_MANIFEST : 'application/octet-stream', 'content-length': body.length, 'docker-content-digest': ref! });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    kind: 'in-process (docker-registry or skopeo not installed)',
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Pull-and-run of a 5-layer gzip image from a registry on 127.0.0.1: cold (empty image store: pull,
 * unpack, start) and warm (image present, IfNotPresent: start only), each from pod creation until
 * the agent receives the container's first output line; medians of `runs`.
 */
export async function imagePull(config: AgentConfig, runs = 3): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tinylet-bench-pull-'));
  const repo = 'bench/app';
  const tag = 'v1';
  const image = benchImage();
  const registry = existsSync(REGISTRY_BIN) && existsSync(SKOPEO_BIN) ? await realRegistry(dir, image, repo, tag) : await inProcessRegistry(image, repo, tag);
  const reference = `${registry.host}/${repo}:${tag}`;
  const kubelet = new Kubelet({ ...config, imageDir: join(config.stateDir, 'images') });
  let n = 0;
  /** Creates a pod of the image; resolves with ms from creation to the first log line, and the worker. */
  const startOne = (): Promise<{ ms: number; worker: PodWorker }> => {
    const pod = defaultPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `pull-${n++}` },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: reference, imagePullPolicy: 'IfNotPresent' }] },
    });
    return new Promise((resolve, reject) => {
      let worker: PodWorker | undefined;
      const timer = setTimeout(() => {
        kubelet.off('log', onLog);
        reject(new Error(`no output from ${pod.metadata!.name} in 120 s: ${JSON.stringify(worker?.pod.status)}`));
      }, 120_000);
      const onLog = (w: PodWorker) => {
        if (w !== worker) return;
        const ms = performance.now() - t0;
        clearTimeout(timer);
        kubelet.off('log', onLog);
        resolve({ ms, worker: w });
      };
      kubelet.on('log', onLog);
      const t0 = performance.now();
      kubelet.createPod(pod);
      worker = kubelet.getWorker('default', pod.metadata!.name!);
    });
  };
  const remove = async (w: PodWorker) => {
    kubelet.deletePod('default', w.pod.metadata!.name!, { gracePeriodSeconds: 0 });
    await w.done;
  };
  const pulls = (w: PodWorker) => kubelet.events.forPod('default', w.pod.metadata!.name!).filter((e) => e.reason === 'Pulling').length;
  const cold: number[] = [];
  const warm: number[] = [];
  let storedSize = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const { ms, worker } = await startOne();
      if (pulls(worker) !== 1) throw new Error('a cold start did not pull');
      cold.push(ms);
      storedSize = kubelet.images.store.get(reference)?.size ?? 0;
      await remove(worker);
      // Empty the store again: the next cold start pulls and unpacks everything.
      kubelet.images.store.untag(reference);
      kubelet.images.store.collectGarbage();
      const roots = join(config.stateDir, 'images', 'store', 'roots');
      if (kubelet.images.store.list().length > 0 || (existsSync(roots) && readdirSync(roots).length > 0)) throw new Error('image store not empty after a cold run');
    }
    // Warm: the image pulled once more (not timed), then started from the store.
    const first = await startOne();
    await remove(first.worker);
    for (let i = 0; i < runs; i++) {
      const { ms, worker } = await startOne();
      if (pulls(worker) !== 0) throw new Error('a warm start pulled');
      warm.push(ms);
      await remove(worker);
    }
  } finally {
    try {
      await kubelet.shutdown({ gracePeriodSeconds: 0 });
      await kubelet.network.destroy();
    } finally {
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(join(config.stateDir, 'images'), { recursive: true, force: true });
    }
  }
  const round = (x: number) => Math.round(x);
  return {
    registry: registry.kind,
    layers: 5,
    imageSizeBytes: storedSize || image.size,
    runs,
    coldPullAndStartMsMedian: round(median(cold)),
    coldPullAndStartMs: cold.map(round),
    warmStartMsMedian: round(median(warm)),
    warmStartMs: warm.map(round),
  };
}
