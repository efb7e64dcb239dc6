import { writeFileSync } from 'node:fs';

/** A bind mount, passed to the launcher as structured fields (no `src:dst:ro` string to parse). */
export interface Bind {
  /** Host path of the source: a volume's directory, a pod file, a hostPath. */
  src: string;
  /** A subPath, resolved by the launcher beneath `src` so a planted symlink cannot leave the volume. */
  sub?: string;
  /** Path inside the container, resolved by the launcher inside the container's root. */
  dst: string;
  readOnly?: boolean;
}

/** Who the process runs as and what it may do: the same for the container and every exec into it. */
export interface ProcessSecurity {
  privileged: boolean;
  /** Capability numbers: the bounding set, and effective/permitted for root. */
  capabilities: number[];
  noNewPrivs: boolean;
  readOnlyRootFilesystem: boolean;
  /** Compiled seccomp filter lines (empty: unconfined). */
  seccomp: string[];
  /** The image's USER (name|uid[:group|gid]); resolved in the container's own /etc/passwd. */
  imageUser?: string;
  uid?: number;
  gid?: number;
  supplementalGroups: number[];
  /** supplementalGroupsPolicy: Strict (no groups from the image's /etc/group). */
  groupsStrict: boolean;
}

/**
 * A value the spec file cannot hold: its strings are NUL-terminated, so a NUL inside one would cut it
 * short (and execve could not pass it anyway). The pod's config is at fault, not the runtime: the
 * kubelet reports it as CreateContainerError. Validation refuses such pods; this guards the rest.
 */
export class SpecValueError extends Error {}

/**
 * The launcher's spec file (agent/spec.h): NUL-terminated strings, a key followed by its values, so
 * no value is ever parsed out of a string and paths may hold any character. Like an OCI bundle's
 * config.json, it stays beside the container for `exec` to reuse.
 */
export class SpecWriter {
  private readonly parts: string[] = [];

  add(key: string, ...values: string[]): this {
    for (const v of [key, ...values]) {
      if (v.includes('\0')) throw new SpecValueError(`${key}: value contains a NUL byte`);
      this.parts.push(v);
    }
    return this;
  }

  addAll(key: string, values: readonly (string | number)[]): this {
    for (const v of values) this.add(key, String(v));
    return this;
  }

  /** Written 0600: it holds the container's environment. */
  write(path: string): void {
    writeFileSync(path, this.parts.map((p) => p + '\0').join(''), { mode: 0o600 });
  }
}

export function addSecurity(w: SpecWriter, sec: ProcessSecurity): void {
  if (sec.privileged) w.add('privileged', '1');
  w.addAll('cap', sec.capabilities);
  if (sec.noNewPrivs) w.add('nnp', '1');
  if (sec.readOnlyRootFilesystem) w.add('readonly-root', '1');
  w.addAll('seccomp', sec.seccomp);
  if (sec.imageUser) w.add('user', sec.imageUser);
  if (sec.uid !== undefined) w.add('uid', String(sec.uid));
  if (sec.gid !== undefined) w.add('gid', String(sec.gid));
  w.addAll('group', sec.supplementalGroups);
  if (sec.groupsStrict) w.add('groups-strict', '1');
}

export function addBind(w: SpecWriter, b: Bind): void {
  w.add('bind', b.src, b.sub ?? '', b.dst, b.readOnly ? 'ro' : '');
}
