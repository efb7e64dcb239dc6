// Volumes and the mounts that use them. tinylet provides emptyDir, hostPath, configMap, secret,
// downwardAPI and projected (validateObjectVolumes.ts; the other sources are reported by
// notImplemented.ts); beyond the API server's rules we require absolute
// paths, because the runtime bind-mounts them and a relative path has no meaning there, and a
// mountPath without `..` elements (the API server checks that for subPath and hostPath.path only).
import type { Volume, VolumeMount } from './types.js';
import { type FieldError, child, duplicate, forbidden, index, invalid, notFound, required, unsupported } from './fieldErrors.js';
import { isDNS1123Label, isQuantity } from './names.js';
import { validateConfigMapVolume, validateDownwardAPIVolume, validateProjectedVolume, validateSecretVolume } from './validateObjectVolumes.js';

export const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const EMPTY_DIR_MEDIA = ['', 'Memory', 'HugePages'];
const MOUNT_PROPAGATION = ['None', 'HostToContainer', 'Bidirectional'];
const RECURSIVE_READ_ONLY = ['Disabled', 'IfPossible', 'Enabled'];

const hasDotDot = (p: string): boolean => p.split('/').includes('..');

/** The source fields set on a volume, in the order written. */
export function volumeSources(v: Volume): string[] {
  return Object.keys(v).filter((k) => k !== 'name' && (v as unknown as Record<string, unknown>)[k] !== undefined);
}

export function validateVolumes(volumes: Volume[], path: string): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = index(path, i);
    if (!v.name) errors.push(required(child(p, 'name')));
    else {
      for (const msg of isDNS1123Label(v.name)) errors.push(invalid(child(p, 'name'), v.name, msg));
      if (names.has(v.name)) errors.push(duplicate(child(p, 'name'), 'name', v.name));
      names.add(v.name);
    }
    const sources = volumeSources(v);
    if (sources.length === 0) errors.push(required(p, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errors.push(forbidden(child(p, extra), 'may not specify more than 1 volume type'));
    if (sources[0] === 'emptyDir') errors.push(...validateEmptyDir(v.emptyDir!, child(p, 'emptyDir')));
    if (sources[0] === 'configMap') errors.push(...validateConfigMapVolume(v.configMap!, child(p, 'configMap')));
    if (sources[0] === 'secret') errors.push(...validateSecretVolume(v.secret!, child(p, 'secret')));
    if (sources[0] === 'downwardAPI') errors.push(...validateDownwardAPIVolume(v.downwardAPI!, child(p, 'downwardAPI')));
    if (sources[0] === 'projected') errors.push(...validateProjectedVolume(v.projected!, child(p, 'projected')));
    if (sources[0] === 'hostPath') errors.push(...validateHostPath(v.hostPath!, child(p, 'hostPath')));
  });
  return { errors, names };
}

function validateEmptyDir(e: NonNullable<Volume['emptyDir']>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const medium = e.medium ?? '';
  if (!EMPTY_DIR_MEDIA.includes(medium) && !medium.startsWith('HugePages-')) errs.push(unsupported(child(path, 'medium'), medium, EMPTY_DIR_MEDIA));
  if (e.sizeLimit !== undefined) {
    const limit = e.sizeLimit as string | number;
    for (const msg of isQuantity(limit)) errs.push(invalid(child(path, 'sizeLimit'), limit, msg));
    if (String(limit).startsWith('-')) errs.push(invalid(child(path, 'sizeLimit'), limit, 'must be greater than or equal to 0'));
  }
  return errs;
}

function validateHostPath(h: NonNullable<Volume['hostPath']>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!h.path) errs.push(required(child(path, 'path')));
  else if (!h.path.startsWith('/')) errs.push(invalid(child(path, 'path'), h.path, 'must be an absolute path'));
  else if (hasDotDot(h.path)) errs.push(invalid(child(path, 'path'), h.path, "must not contain '..'"));
  if (h.type !== undefined && !HOST_PATH_TYPES.includes(h.type)) errs.push(unsupported(child(path, 'type'), h.type, HOST_PATH_TYPES));
  return errs;
}

/** subPath must stay inside the volume. */
function validateSubPath(value: string, path: string): FieldError[] {
  if (value.startsWith('/')) return [invalid(path, value, 'must be a relative path')];
  if (hasDotDot(value)) return [invalid(path, value, "must not contain '..'")];
  return [];
}

export function validateVolumeMounts(mounts: VolumeMount[], path: string, volumeNames: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  mounts.forEach((m, i) => {
    const p = index(path, i);
    if (!m.name) errs.push(required(child(p, 'name')));
    else if (!volumeNames.has(m.name)) errs.push(notFound(child(p, 'name'), m.name, 'no volume of this name in spec.volumes'));
    if (!m.mountPath) errs.push(required(child(p, 'mountPath')));
    else {
      if (!m.mountPath.startsWith('/')) errs.push(invalid(child(p, 'mountPath'), m.mountPath, 'must be an absolute path'));
      // The API server does not look for `..` in mountPath; tinylet refuses it so that a mount target
      // never climbs out of the place it names. ':' is legal (`/a:b` is an ordinary directory name).
      else if (hasDotDot(m.mountPath)) errs.push(invalid(child(p, 'mountPath'), m.mountPath, "must not contain '..'"));
      if (mountPaths.has(m.mountPath)) errs.push(duplicate(child(p, 'mountPath'), 'mountPath', m.mountPath));
      mountPaths.add(m.mountPath);
    }
    if (m.subPath) errs.push(...validateSubPath(m.subPath, child(p, 'subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(child(p, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateSubPath(m.subPathExpr, child(p, 'subPathExpr')));
    }
    if (m.mountPropagation !== undefined && !MOUNT_PROPAGATION.includes(m.mountPropagation)) {
      errs.push(unsupported(child(p, 'mountPropagation'), m.mountPropagation, MOUNT_PROPAGATION));
    }
    if (m.recursiveReadOnly !== undefined) {
      if (!RECURSIVE_READ_ONLY.includes(m.recursiveReadOnly)) errs.push(unsupported(child(p, 'recursiveReadOnly'), m.recursiveReadOnly, RECURSIVE_READ_ONLY));
      else if (m.recursiveReadOnly !== 'Disabled' && !m.readOnly) errs.push(forbidden(child(p, 'recursiveReadOnly'), 'may only be specified when readOnly is true'));
    }
  });
  return errs;
}
