import { randomBytes } from 'node:crypto';
import type { Pod } from '../api/types.js';
import { effectiveArgv, expandVars } from '../runtime/command.js';
import { containerEnv } from '../runtime/env.js';
import { ensureBusyboxApplets } from '../runtime/images/busyboxApplets.js';
import { BUSYBOX_APPLET_DIR } from '../runtime/images/builtins.js';
import type { ImageCatalog } from '../runtime/images/catalog.js';
import type { ResolvedImage } from '../runtime/images/imageConfig.js';
import { launchContainer, type ContainerProcess } from '../runtime/launch.js';
import { prepareRootFs } from '../runtime/rootfs.js';
import type { Sandbox } from '../runtime/sandbox.js';
import { volumeBinds } from '../runtime/volumes.js';
import { join } from 'node:path';
import { quantityValue } from '../api/names.js';
import { createContainerCgroup, type CgroupLimits } from '../runtime/cgroups.js';
import type { ContainerRecord } from './containerRecord.js';
import { containerRootDir } from './podPaths.js';

/** The container's config could not be generated (Kubernetes' CreateContainerConfigError/CreateContainerError). */
export class CreateContainerError extends Error {
  constructor(
    readonly reason: 'CreateContainerConfigError' | 'CreateContainerError',
    message: string,
  ) {
    super(message);
  }
}

export interface StartContext {
  pod: Pod;
  sandbox: Sandbox;
  stateDir: string;
  /** Shared files derived from images (busybox applet links), kept across pods and runs. */
  imageDir: string;
  /** The cgroup under which containers with resources.limits get their own. */
  cgroupParent: string;
  volumeSources: Map<string, string>;
  podBinds: string[];
}

export function resolveImage(images: ImageCatalog, record: ContainerRecord): ResolvedImage {
  return images.resolve(record.spec.image ?? '');
}

/** Builds the process spec of one container instance from its image and spec, then launches it. */
export async function startInstance(ctx: StartContext, record: ContainerRecord, image: ResolvedImage): Promise<ContainerProcess> {
  const env = containerEnv(ctx.pod, record.spec, image.config.env, ctx.sandbox.hostname);
  const argv = effectiveArgv(image.config, record.spec).map((a) => expandVars(a, env));
  if (argv.length === 0) throw new CreateContainerError('CreateContainerError', 'failed to generate container spec: no command specified');
  let binds: string[];
  try {
    binds = [...ctx.podBinds, ...volumeBinds(record.spec, ctx.volumeSources)];
  } catch (err) {
    throw new CreateContainerError('CreateContainerConfigError', (err as Error).message);
  }
  if (image.config.busyboxApplets) binds.push(`${ensureBusyboxApplets(ctx.imageDir)}:${BUSYBOX_APPLET_DIR}:ro`);
  const rootfs = prepareRootFs(join(containerRootDir(ctx.stateDir, ctx.pod, record.name), 'rootfs'), image.config);
  record.env = env;
  record.argv = argv;
  record.cgroup = createContainerCgroup(ctx.cgroupParent, `${ctx.pod.metadata!.uid}_${record.name}_${record.instances}`, limitsOf(record));
  const proc = await launchContainer({
    sandbox: ctx.sandbox,
    argv,
    env,
    workingDir: record.spec.workingDir || image.config.workingDir,
    rootfs,
    binds,
    ioDir: join(containerRootDir(ctx.stateDir, ctx.pod, record.name), 'io'),
    cgroups: record.cgroup?.dirs,
  }).catch((err: unknown) => {
    record.cgroup?.remove();
    record.cgroup = undefined;
    throw err;
  });
  record.containerID = `tinylet://${randomBytes(32).toString('hex')}`;
  return proc;
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
