// Probe rules (validateProbe / validateHandler in the API server), plus one tinylet adds: a
// probe or hook that names a port the container does not declare is rejected up front, where the
// kubelet would only find out at run time and count every attempt as a failure.
import type { ExecAction, HTTPGetAction, Probe, TCPSocketAction } from './types.js';
import { type FieldError, child, forbidden, index, invalid, required, unsupported } from './fieldErrors.js';
import { isHTTPHeaderName, isValidPortName, isValidPortNum } from './names.js';

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const HTTP_SCHEMES = ['HTTP', 'HTTPS'];

/**
 * The API server checks the first handler present and rejects each further one, so the user
 * sees which field to delete.
 */
export function checkOneHandler(handler: Record<string, unknown>, names: readonly string[], path: string): { name?: string; errors: FieldError[] } {
  const present = names.filter((n) => handler[n] !== undefined && handler[n] !== null);
  const errors = present.slice(1).map((n) => forbidden(child(path, n), 'may not specify more than 1 handler type'));
  if (present.length === 0) errors.push(required(path, 'must specify a handler type'));
  return { name: present[0], errors };
}

/** A port given by number or by the name of one of the container's ports. */
export function validatePortNumOrName(port: number | string | undefined, path: string, portNames: ReadonlySet<string>): FieldError[] {
  if (port === undefined || port === 0 || port === '') return [required(path)];
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  const syntax = isValidPortName(port).map((m) => invalid(path, port, m));
  if (syntax.length > 0) return syntax;
  return portNames.has(port) ? [] : [invalid(path, port, `no port named ${JSON.stringify(port)} in the container's ports`)];
}

export function validateExecAction(exec: ExecAction, path: string): FieldError[] {
  return exec.command && exec.command.length > 0 ? [] : [required(child(path, 'command'))];
}

export function validateHTTPGetAction(get: HTTPGetAction, path: string, portNames: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!get.path) errs.push(required(child(path, 'path')));
  errs.push(...validatePortNumOrName(get.port, child(path, 'port'), portNames));
  if (get.scheme !== undefined && !HTTP_SCHEMES.includes(get.scheme)) errs.push(unsupported(child(path, 'scheme'), get.scheme, HTTP_SCHEMES));
  (get.httpHeaders ?? []).forEach((h, i) => {
    for (const msg of isHTTPHeaderName(h.name ?? '')) errs.push(invalid(child(index(child(path, 'httpHeaders'), i), 'name'), h.name ?? '', msg));
  });
  return errs;
}

export function validateTCPSocketAction(tcp: TCPSocketAction, path: string, portNames: ReadonlySet<string>): FieldError[] {
  return validatePortNumOrName(tcp.port, child(path, 'port'), portNames);
}

function validateProbeHandler(probe: Probe, path: string, portNames: ReadonlySet<string>): FieldError[] {
  const { name, errors } = checkOneHandler(probe as Record<string, unknown>, PROBE_HANDLERS, path);
  const p = name ? child(path, name) : path;
  if (name === 'exec') errors.push(...validateExecAction(probe.exec!, p));
  if (name === 'httpGet') errors.push(...validateHTTPGetAction(probe.httpGet!, p, portNames));
  if (name === 'tcpSocket') errors.push(...validateTCPSocketAction(probe.tcpSocket!, p, portNames));
  if (name === 'grpc') {
    const port = probe.grpc!.port;
    errors.push(...isValidPortNum(port).map((m) => invalid(child(p, 'port'), port, m)));
  }
  return errors;
}

/** Timings below their floor; tinylet checks explicit zeros too (see defaultProbe). */
const PROBE_MINIMUMS = [
  ['initialDelaySeconds', 0],
  ['timeoutSeconds', 1],
  ['periodSeconds', 1],
  ['successThreshold', 1],
  ['failureThreshold', 1],
] as const;

export function validateProbe(probe: Probe, path: string, kind: ProbeKind, portNames: ReadonlySet<string>): FieldError[] {
  const errs = validateProbeHandler(probe, path, portNames);
  for (const [field, min] of PROBE_MINIMUMS) {
    const v = probe[field];
    if (v !== undefined && v < min) errs.push(invalid(child(path, field), v, `must be greater than or equal to ${min}`));
  }
  // Liveness and startup act on the first success or the Nth failure; a success streak means nothing to them.
  if (kind !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold >= 1 && probe.successThreshold !== 1) {
    errs.push(invalid(child(path, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
  const grace = probe.terminationGracePeriodSeconds;
  if (grace !== undefined) {
    // A readiness failure never kills, so a kill grace period on it is meaningless.
    if (kind === 'readinessProbe') errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), grace, 'must not be set for readinessProbes'));
    else if (grace <= 0) errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), grace, 'must be greater than 0'));
  }
  return errs;
}
