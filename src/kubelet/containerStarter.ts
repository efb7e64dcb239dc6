import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { quantityValue } from '../api/names.js';
import { CgroupError, createContainerCgroup, type CgroupLimits } from '../runtime/cgroups.js';
import { effectiveArgv, ExpansionTooLongError } from '../runtime/command.js';
import { SpecValueError, type Bind } from '../runtime/containerSpec.js';
import { containerEnv, expandOne } from '../runtime/env.js';
import { hostRootHiding, type Hiding } from '../runtime/hostRoot.js';
import { ensureBusyboxApplets } from '../runtime/images/busyboxApplets.js';
import { BUSYBOX_APPLET_DIR } from '../runtime/images/builtins.js';
import { ensureScratchRoot } from '../runtime/images/scratchRoot.js';
import type { ResolvedImage } from '../runtime/images/imageConfig.js';
import { launchContainer, StartError, type ContainerProcess } from '../runtime/launch.js';
import { prepareRootFs } from '../runtime/rootfs.js';
import type { Sandbox } from '../runtime/sandbox.js';
import { volumeBinds } from '../runtime/volumes.js';
import type { ContainerRecord } from './containerRecord.js';
import { processSecurity, type SecurityOptions } from './processSecurity.js';
import { containerRootDir } from './podPaths.js';

import { CreateContainerError } from './createContainerError.js';
import { envSourcesFor, type EnvSourceContext } from './envSources.js';


export interface StartContext {
  pod: Pod;
  sandbox: Sandbox;
  stateDir: string;
  /** Shared files derived from images (busybox applet links), kept across pods and runs. */
  imageDir: string;
  /** The cgroup under which each container gets its own. */
  cgroupParent: string;
  volumeSources: Map<string, string>;
  /** Volumes mounted read-only whatever the mount says (configMap, secret, downwardAPI, projected). */
  readOnlyVolumes?: ReadonlySet<string>;
  podBinds: Bind[];
  /** Where envFrom, configMapKeyRef, secretKeyRef and resourceFieldRef values come from. */
  envSources?: EnvSourceContext;
  security: SecurityOptions;
  /** Keeps an image root from `image prune` while a container runs on it. */
  leaseImage: (root: string) => () => void;
  /** The agent's own files, never visible to a container on the host's root. */
  agentPaths: { dirs: string[]; files: string[] };
}

/**
 * Builds the process spec of one container instance from its image and spec, then launches it. Every
 * failure is a CreateContainerError (the pod's config cannot be turned into a process: a NUL byte, a
 * missing command) or a StartError (the runtime could not start it: a cgroup value the kernel refuses,
 * a full disk, exec's E2BIG), never anything else, so the caller can always turn it into the container's
 * state.
 */
export async function startInstance(ctx: StartContext, record: ContainerRecord, image: ResolvedImage): Promise<ContainerProcess> {
  try {
    return await buildAndLaunch(ctx, record, image);
  } catch (err) {
    throw asStartFailure(err);
  }
}

function asStartFailure(err: unknown): CreateContainerError | StartError {
  if (err instanceof CreateContainerError || err instanceof StartError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof SpecValueError) return new CreateContainerError('CreateContainerError', `failed to generate container spec: ${message}`);
  if (err instanceof ExpansionTooLongError) return new StartError(`exec: argument list too long: ${message}`);
  if (err instanceof CgroupError) return new StartError(`runc create failed: unable to start container process: error setting cgroup config: ${message}`);
  return new StartError(message);
}

async function buildAndLaunch(ctx: StartContext, record: ContainerRecord, image: ResolvedImage): Promise<ContainerProcess> {
  const sources = ctx.envSources ? envSourcesFor(ctx.pod, record.spec, ctx.envSources) : undefined;
  const env = containerEnv(ctx.pod, record.spec, image.config.env, ctx.sandbox.hostname, sources);
  const argv = effectiveArgv(image.config, record.spec).map((a, i) => expandOne(`argv[${i}]`, a, env));
  if (argv.length === 0) throw new CreateContainerError('CreateContainerError', 'failed to generate container spec: no command specified');
  const security = processSecurity(ctx.pod, record.spec, image.config, ctx.security);
  let binds: Bind[];
  try {
    binds = [...ctx.podBinds, ...volumeBinds(record.spec, ctx.volumeSources, ctx.readOnlyVolumes)];
  } catch (err) {
    throw new CreateContainerError('CreateContainerConfigError', (err as Error).message);
  }
  // A FROM scratch image (the pause image) starts from an empty root, not the host's.
  const rootDir = image.config.scratch ? ensureScratchRoot(ctx.imageDir) : image.config.rootDir;
  const hide: Hiding = rootDir ? { opaque: [], whiteout: [] } : hostRootHiding(ctx.agentPaths);
  const imageBinds: Bind[] = (image.config.hostPaths ?? []).filter((p) => isHidden(p, hide)).map((p) => ({ src: p, dst: p, readOnly: true }));
  if (image.config.busyboxApplets) imageBinds.push({ src: ensureBusyboxApplets(ctx.imageDir), dst: BUSYBOX_APPLET_DIR, readOnly: true });
  for (const f of image.config.hostFiles ?? []) imageBinds.push({ src: f.src, dst: f.dst, readOnly: true });
  const dir = containerRootDir(ctx.stateDir, ctx.pod, record.name);
  const rootfs = prepareRootFs(join(dir, 'rootfs'), { ...image.config, rootDir }, hide);
  record.env = env;
  record.argv = argv;
  record.cgroup = createContainerCgroup(ctx.cgroupParent, `${ctx.pod.metadata!.uid}_${record.name}_${record.instances}`, limitsOf(record));
  if (image.source !== 'host' && rootDir) record.imageLease = ctx.leaseImage(rootDir);
  const proc = await launchContainer({
    sandbox: ctx.sandbox,
    argv,
    env,
    workingDir: record.spec.workingDir || image.config.workingDir,
    rootfs,
    // Image paths first: the pod's volumes may be mounted below them.
    binds: [...imageBinds, ...binds],
    ioDir: join(dir, 'io'),
    specPath: join(dir, 'spec'),
    cgroups: record.cgroup?.dirs,
    security,
    stdin: record.spec.stdin === true,
    tty: record.spec.tty === true,
  }).catch((err: unknown) => {
    record.cgroup?.remove();
    record.cgroup = undefined;
    record.imageLease?.();
    record.imageLease = undefined;
    throw err;
  });
  record.containerID = `tinylet://${randomBytes(32).toString('hex')}`;
  return proc;
}

/** Whether a host path is behind one of the root's hidden paths. */
function isHidden(path: string, hide: Hiding): boolean {
  return [...hide.opaque, ...hide.whiteout].some((h) => path === h || path.startsWith(h + '/'));
}

/** resources.limits as the kernel takes them: bytes of memory, millicores of CPU. */
function limitsOf(record: ContainerRecord): CgroupLimits {
  const limits = record.spec.resources?.limits ?? {};
  const memory = limits.memory !== undefined ? quantityValue(limits.memory) : NaN;
  const cpu = limits.cpu !== undefined ? quantityValue(limits.cpu) : NaN;
  return {
    ...(Number.isFinite(memory) && memory > 0 ? { memoryBytes: memory } : {}),
    ...(Number.isFinite(cpu) && cpu > 0 ? { cpuMillis: Math.round(cpu * 1000) } : {}),
  };
}
