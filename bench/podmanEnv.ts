import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { Pod } from '../src/api/types.js';
import { packTar } from '../src/runtime/images/tar/tarWriter.js';

const run = promisify(execFile);

export const PODMAN_IMAGE = 'localhost/tinylet-bench-busybox:1';

/**
 * The three settings these machines need (see /work/shared/peers/podman.md): no CAP_SYS_RESOURCE
 * for podman's default root rlimits, crun 1.8.1 refusing the hybrid cgroup layout, no systemd.
 * The network config goes to the bench's dir too (`--network none` needs none).
 */
function containersConf(dir: string): string {
  return [
    '[containers]',
    'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = "${join(dir, 'events.log')}"`,
    '[network]',
    `network_config_dir = "${join(dir, 'netconf')}"`,
    '',
  ].join('\n');
}

/** Host paths podman writes outside --root/--runroot whatever it is told; removed after if the bench made them. */
const GLOBAL_PATHS = ['/run/containers/networks', '/run/containers', '/run/runc', '/var/lib/containers/cache/blob-info-cache-v1.boltdb'];
const CGROUP_ROOT = '/sys/fs/cgroup';

function libpodCgroups(): string[] {
  const out: string[] = [];
  for (const h of readdirSync(CGROUP_ROOT)) {
    const p = join(CGROUP_ROOT, h, 'libpod_parent');
    if (existsSync(p)) out.push(p);
  }
  return out;
}

export async function podmanVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('podman', ['--version']);
    return stdout.trim().replace(/^podman version /, '');
  } catch {
    return undefined;
  }
}

/**
 * podman with everything of its own under one temp dir: storage (--root), run state (--runroot),
 * temp files (--tmpdir), containers.conf (CONTAINERS_CONF, which conmon inherits), events log.
 * `destroy` removes its pods, images and storage, and what podman made on the host outside it.
 */
export class PodmanEnv {
  private readonly preexisting: Set<string>;

  private constructor(readonly dir: string) {
    this.preexisting = new Set([...GLOBAL_PATHS.filter((p) => existsSync(p)), ...libpodCgroups()]);
  }

  static async create(dir: string): Promise<PodmanEnv> {
    for (const d of ['root', 'runroot', 'tmp', 'netconf', 'image']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'containers.conf'), containersConf(dir));
    const env = new PodmanEnv(dir);
    try {
      await env.importBusybox();
    } catch (err) {
      await env.destroy();
      throw err;
    }
    return env;
  }

  private get globalFlags(): string[] {
    return ['--root', join(this.dir, 'root'), '--runroot', join(this.dir, 'runroot'), '--tmpdir', join(this.dir, 'tmp')];
  }

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, CONTAINERS_CONF: join(this.dir, 'containers.conf') };
  }

  async podman(args: string[]): Promise<string> {
    try {
      const { stdout } = await run('podman', [...this.globalFlags, ...args], { env: this.env, maxBuffer: 16 << 20 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`podman ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
    }
  }

  /** The busybox-static binary tinylet's busybox runs, as an image (`podman import`: no registry). */
  private async importBusybox(): Promise<void> {
    const applets = ['sh', 'echo', 'sleep', 'true'];
    const tar = packTar([
      { name: 'bin/' },
      { name: 'bin/busybox', content: readFileSync('/bin/busybox'), mode: 0o755 },
      ...applets.map((a) => ({ name: `bin/${a}`, type: 'symlink' as const, linkname: 'busybox' })),
      { name: 'tmp/', mode: 0o1777 },
    ]);
    const file = join(this.dir, 'image', 'busybox.tar');
    writeFileSync(file, tar);
    await this.podman(['import', '-q', '--change', 'ENV PATH=/bin', file, PODMAN_IMAGE]);
  }

  writePod(pods: Pod[], name: string): string {
    const file = join(this.dir, `${name}.yaml`);
    writeFileSync(file, pods.map((p) => stringify(p)).join('---\n'));
    return file;
  }

  /** `podman kube play --network none`; resolves when podman exits (all containers started). */
  play(file: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('podman', [...this.globalFlags, 'kube', 'play', '--network', 'none', file], { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`podman kube play ${file}: exit ${code}: ${stderr.trim()}`))));
    });
  }

  /** Host PIDs a pod costs: each container's (the infra one too) process and its conmon. */
  async podPids(pod: string): Promise<{ app: number[]; all: number[] }> {
    const info = JSON.parse(await this.podman(['pod', 'inspect', pod])) as { Containers: { Id: string }[]; InfraContainerID: string };
    const app: number[] = [];
    const all: number[] = [];
    for (const c of info.Containers) {
      const [pid, conmon] = (await this.podman(['inspect', '--format', '{{.State.Pid}} {{.State.ConmonPid}}', c.Id])).trim().split(' ').map(Number);
      if (c.Id !== info.InfraContainerID) app.push(pid);
      all.push(pid, conmon);
    }
    return { app, all };
  }

  async restartCount(container: string): Promise<number> {
    return Number((await this.podman(['inspect', '--format', '{{.RestartCount}}', container])).trim());
  }

  async removeAllPods(): Promise<void> {
    await this.podman(['pod', 'rm', '--all', '--force', '--time', '0']);
  }

  /** Everything it made, even after a failure; errors of the steps are collected, not thrown halfway. */
  async destroy(): Promise<void> {
    const errors: string[] = [];
    for (const args of [['pod', 'rm', '--all', '--force', '--time', '0'], ['rm', '--all', '--force', '--time', '0'], ['rmi', '--all', '--force']]) {
      await this.podman(args).catch((err: Error) => errors.push(err.message));
    }
    // Storage mounts (overlay, shm) left by a failure: lazily unmounted, deepest first.
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m) => m && m.startsWith(this.dir + '/'))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) await run('umount', ['-l', m]).catch((err: Error) => errors.push(err.message));
    rmSync(this.dir, { recursive: true, force: true });
    for (const p of [...libpodCgroups(), ...GLOBAL_PATHS]) {
      if (this.preexisting.has(p) || !existsSync(p)) continue;
      try {
        if (p.startsWith(CGROUP_ROOT)) {
          for (const sub of readdirSync(p, { withFileTypes: true })) if (sub.isDirectory()) rmdirSync(join(p, sub.name));
          rmdirSync(p);
        } else if (p.endsWith('.boltdb')) rmSync(p);
        else rmdirSync(p);
      } catch (err) {
        errors.push(`${p}: ${(err as Error).message}`);
      }
    }
    if (errors.length) console.error(`bench: podman cleanup: ${errors.join('; ')}`);
  }
}
