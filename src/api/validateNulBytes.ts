// NUL bytes. The API server lets a string hold one, but nothing a pod's strings turn into can: execve
// takes C strings (an argument or env value would be cut at the NUL), and so do paths (mountPath,
// subPath, hostPath.path, workingDir) and the launcher's spec file, whose values are NUL-terminated.
// Such a pod could never start, and would fail again at every restart of the agent: refuse it here.
// Every string of the spec is checked, so a field added later is covered without being listed.
import type { PodSpec } from './types.js';
import { type FieldError, child, index, invalid, shortValue } from './fieldErrors.js';

export function validateNulBytes(spec: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  walk(spec, 'spec', errs);
  return errs;
}

function walk(v: unknown, path: string, errs: FieldError[]): void {
  if (typeof v === 'string') {
    if (v.includes('\0')) errs.push(invalid(path, shortValue(v), 'must not contain a NUL byte'));
  } else if (Array.isArray(v)) {
    v.forEach((el, i) => walk(el, index(path, i), errs));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, el] of Object.entries(v)) walk(el, child(path, k), errs);
  }
}
