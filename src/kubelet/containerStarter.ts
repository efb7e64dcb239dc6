import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { quantityValue } from '../api/names.js';
import { createContainerCgroup, type CgroupLimits } from '../runtime/cgroups.js';
import { effectiveArgv, expandVars } from '../runtime/command.js';
import type { Bind } from '../runtime/containerSpec.js';
import { containerEnv } from '../runtime/env.js';
import { hostRootHiding, type Hiding } from '../runtime/hostRoot.js';
import { ensureBusyboxApplets } from '../runtime/images/busyboxApplets.js';
import { BUSYBOX_APPLET_DIR } from '../runtime/images/builtins.js';
import type { ImageCatalog } from '../runtime/images/catalog.js';
import type { ResolvedImage } from '../runtime/images/imageConfig.js';
import { launchContainer, type ContainerProcess } from '../runtime/launch.js';
import { prepareRootFs } from '../runtime/rootfs.js';
import type { Sandbox } from '../runtime/sandbox.js';
import { volumeBinds } from '../runtime/volumes.js';
import type { ContainerRecord } from './containerRecord.js';
import { processSecurity, type SecurityOptions } from './processSecurity.js';
import { containerRootDir } from './podPaths.js';

import { CreateContainerError } from './createContainerError.js';

export { CreateContainerError };

export interface StartContext {
  pod: Pod;
  sandbox: Sandbox;
  stateDir: string;
  /** Shared files derived from images (busybox applet links), kept across pods and runs. */
  imageDir: string;
  /** The cgroup under which each container gets its own. */
  cgroupParent: string;
  volumeSources: Map<string, string>;
  podBinds: Bind[];
  security: SecurityOptions;
  /** The agent's own files, never visible to a container on the host's root. */
  agentPaths: { dirs: string[]; files: string[] };
}

export function resolveImage(images: ImageCatalog, record: ContainerRecord): ResolvedImage {
  return images.resolve(record.spec.image ?? '');
}

/** Builds the process spec of one container instance from its image and spec, then launches it. */
export async function startInstance(ctx: StartContext, record: ContainerRecord, image: ResolvedImage): Promise<ContainerProcess> {
  const env = containerEnv(ctx.pod, record.spec, image.config.env, ctx.sandbox.hostname);
  const argv = effectiveArgv(image.config, record.spec).map((a) => expandVars(a, env));
  if (argv.length === 0) throw new CreateContainerError('CreateContainerError', 'failed to generate container spec: no command specified');
  const security = processSecurity(ctx.pod, record.spec, image.config, ctx.security);
  let binds: Bind[];
  try {
    binds = [...ctx.podBinds, ...volumeBinds(record.spec, ctx.volumeSources)];
  } catch (err) {
    throw new CreateContainerError('CreateContainerConfigError', (err as Error).message);
  }
  const hide: Hiding = image.config.rootDir ? { opaque: [], whiteout: [] } : hostRootHiding(ctx.agentPaths);
  const imageBinds: Bind[] = (image.config.hostPaths ?? []).filter((p) => isHidden(p, hide)).map((p) => ({ src: p, dst: p, readOnly: true }));
  if (image.config.busyboxApplets) imageBinds.push({ src: ensureBusyboxApplets(ctx.imageDir), dst: BUSYBOX_APPLET_DIR, readOnly: true });
  const dir = containerRootDir(ctx.stateDir, ctx.pod, record.name);
  const rootfs = prepareRootFs(join(dir, 'rootfs'), image.config, hide);
  record.env = env;
  record.argv = argv;
  record.cgroup = createContainerCgroup(ctx.cgroupParent, `${ctx.pod.metadata!.uid}_${record.name}_${record.instances}`, limitsOf(record));
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
  }).catch((err: unknown) => {
    record.cgroup?.remove();
    record.cgroup = undefined;
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
