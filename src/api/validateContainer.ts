// Containers: the rules common to app and init containers, then what differs between them.
// Init containers run to completion one by one, so hooks and probes make no sense on them;
// a sidecar (an init container with restartPolicy: Always) keeps running and may have both.
import type { Container, ContainerPort, PodSpec } from './types.js';
import { type FieldError, type Findings, child, duplicate, forbidden, index, invalid, required, unsupported } from './fieldErrors.js';
import { isDNS1123Label, isQuantity, isValidPortName, isValidPortNum, quantityValue } from './names.js';
import { validateEnv, validateEnvFrom } from './validateEnv.js';
import { validateExecSize } from './validateExecSize.js';
import { validateLifecycle } from './validateLifecycle.js';
import { type ProbeKind, validateProbe } from './validateProbe.js';
import { validateLimitBounds } from './validateResourceBounds.js';
import { validateContainerSecurityContext } from './validateSecurityContext.js';
import { validateVolumeMounts } from './validateVolumes.js';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PROBES: ProbeKind[] = ['livenessProbe', 'readinessProbe', 'startupProbe'];

export interface PodContext {
  volumeNames: ReadonlySet<string>;
  /** The pod's terminationGracePeriodSeconds, the ceiling of a preStop sleep. */
  grace: number | undefined;
  hostNetwork: boolean;
  /** False only with spec.hostUsers: false (a user namespace); procMount Unmasked needs one. */
  hostUsers: boolean;
}

/** Validates every container of the spec; names must be unique across init and app containers. */
export function validateContainers(spec: PodSpec, ctx: PodContext, out: Findings): void {
  const names = new Set<string>();
  const containers = spec.containers ?? [];
  if (containers.length === 0) out.errors.push(required('spec.containers'));
  containers.forEach((c, i) => validateContainer(c, index('spec.containers', i), false, names, ctx, out));
  (spec.initContainers ?? []).forEach((c, i) => validateContainer(c, index('spec.initContainers', i), true, names, ctx, out));
  out.errors.push(...uniqueHostPorts(containers, 'spec.containers'));
  out.errors.push(...uniqueHostPorts(spec.initContainers ?? [], 'spec.initContainers'));
}

export function validateContainer(c: Container, path: string, init: boolean, names: Set<string>, ctx: PodContext, out: Findings): void {
  const errs = out.errors;
  if (!c.name) errs.push(required(child(path, 'name')));
  else {
    for (const msg of isDNS1123Label(c.name)) errs.push(invalid(child(path, 'name'), c.name, msg));
    if (names.has(c.name)) errs.push(duplicate(child(path, 'name'), 'name', c.name));
    names.add(c.name);
  }
  if (!c.image) errs.push(required(child(path, 'image')));
  else if (c.image.trim() !== c.image) errs.push(invalid(child(path, 'image'), c.image, 'must not have leading or trailing whitespace'));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(unsupported(child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  if (c.terminationMessagePolicy !== undefined && !MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(unsupported(child(path, 'terminationMessagePolicy'), c.terminationMessagePolicy, MESSAGE_POLICIES));
  }
  const portNames = validatePorts(c.ports ?? [], child(path, 'ports'), ctx.hostNetwork, errs);
  validateEnv(c.env ?? [], child(path, 'env'), out);
  errs.push(...validateEnvFrom(c.envFrom ?? [], child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts ?? [], child(path, 'volumeMounts'), ctx.volumeNames));
  errs.push(...validateResources(c.resources ?? {}, child(path, 'resources')));
  errs.push(...validateExecSize(c, path));
  errs.push(...validateContainerSecurityContext(c, child(path, 'securityContext'), ctx.hostUsers));

  const sidecar = init && c.restartPolicy === 'Always';
  if (!init && c.restartPolicy !== undefined) errs.push(forbidden(child(path, 'restartPolicy'), 'may not be set for non-init containers'));
  if (init && c.restartPolicy !== undefined && c.restartPolicy !== 'Always') errs.push(unsupported(child(path, 'restartPolicy'), c.restartPolicy, ['Always']));
  if (init && !sidecar) {
    for (const f of ['lifecycle', ...PROBES] as const) {
      if (c[f] !== undefined) errs.push(forbidden(child(path, f), 'may not be set for init containers without restartPolicy=Always'));
    }
    return;
  }
  for (const kind of PROBES) {
    const probe = c[kind];
    if (probe) errs.push(...validateProbe(probe, child(path, kind), kind, portNames));
  }
  if (c.lifecycle) validateLifecycle(c.lifecycle, child(path, 'lifecycle'), ctx.grace, portNames, out);
}

/** Returns the declared port names, which probes and hooks may refer to. */
function validatePorts(ports: ContainerPort[], path: string, hostNetwork: boolean, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = index(path, i);
    if (port.name !== undefined) {
      for (const msg of isValidPortName(port.name)) errs.push(invalid(child(p, 'name'), port.name, msg));
      if (names.has(port.name)) errs.push(duplicate(child(p, 'name'), 'port name', port.name));
      names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(child(p, 'containerPort')));
    else for (const msg of isValidPortNum(port.containerPort)) errs.push(invalid(child(p, 'containerPort'), port.containerPort, msg));
    if (port.hostPort) for (const msg of isValidPortNum(port.hostPort)) errs.push(invalid(child(p, 'hostPort'), port.hostPort, msg));
    if (!port.protocol) errs.push(required(child(p, 'protocol')));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(unsupported(child(p, 'protocol'), port.protocol, PROTOCOLS));
    // With the host's network the container binds the host port itself: the two cannot differ.
    if (hostNetwork && port.hostPort !== port.containerPort) {
      errs.push(invalid(child(p, 'containerPort'), port.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
    }
  });
  return names;
}

function uniqueHostPorts(containers: Container[], path: string): FieldError[] {
  const seen = new Set<string>();
  const errs: FieldError[] = [];
  containers.forEach((c, i) =>
    (c.ports ?? []).forEach((port, j) => {
      if (!port.hostPort) return;
      const k = `${port.hostIP ?? ''}/${port.hostPort}/${port.protocol ?? 'TCP'}`;
      if (seen.has(k)) errs.push(duplicate(child(index(child(index(path, i), 'ports'), j), 'hostPort'), 'hostPort', `${port.hostPort}/${port.protocol ?? 'TCP'}`));
      seen.add(k);
    }),
  );
  return errs;
}

function validateResources(r: NonNullable<Container['resources']>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const which of ['limits', 'requests'] as const) {
    for (const [name, q] of Object.entries(r[which] ?? {})) {
      const value = q as string | number;
      // A request copied from a limit by defaulting would repeat the limit's error.
      if (which === 'requests' && r.limits?.[name] === q) continue;
      const p = `${child(path, which)}[${name}]`;
      for (const msg of isQuantity(value)) errs.push(invalid(p, value, msg));
      if (quantityValue(value) < 0) errs.push(invalid(p, value, 'must be greater than or equal to 0'));
    }
  }
  errs.push(...validateLimitBounds(r.limits ?? {}, child(path, 'limits')));
  for (const [name, q] of Object.entries(r.requests ?? {})) {
    const limit = r.limits?.[name] as string | number | undefined;
    if (limit !== undefined && quantityValue(q as string | number) > quantityValue(limit)) {
      errs.push(invalid(`${child(path, 'requests')}[${name}]`, q, `must be less than or equal to ${name} limit of ${limit}`));
    }
  }
  return errs;
}
