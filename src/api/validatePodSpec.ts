// Pod-level spec rules; containers and volumes have their own files.
import { isIP } from 'node:net';
import type { PodSpec } from './types.js';
import { type Findings, child, forbidden, index, invalid, required, unsupported } from './fieldErrors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './names.js';
import { validateContainers } from './validateContainer.js';
import { validateCounts } from './validateCounts.js';
import { validateNulBytes } from './validateNulBytes.js';
import { validatePodSecurityContext } from './validateSecurityContext.js';
import { validateVolumes } from './validateVolumes.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

export function validatePodSpec(spec: PodSpec, out: Findings): void {
  const errs = out.errors;
  const path = 'spec';
  if (!spec.restartPolicy) errs.push(required(child(path, 'restartPolicy')));
  else if (!RESTART_POLICIES.includes(spec.restartPolicy)) errs.push(unsupported(child(path, 'restartPolicy'), spec.restartPolicy, RESTART_POLICIES));

  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && grace < 0) errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), grace, 'must be greater than or equal to 0'));
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    errs.push(invalid(child(path, 'activeDeadlineSeconds'), deadline, `must be between 1 and ${MAX_INT32}, inclusive`));
  }

  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(unsupported(child(path, 'dnsPolicy'), spec.dnsPolicy, DNS_POLICIES));
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig) errs.push(required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  for (const f of ['hostname', 'subdomain'] as const) {
    const v = spec[f];
    if (v) for (const msg of isDNS1123Label(v)) errs.push(invalid(child(path, f), v, msg));
  }
  (spec.hostAliases ?? []).forEach((a, i) => {
    const p = index(child(path, 'hostAliases'), i);
    if (!a.ip || isIP(a.ip) === 0) errs.push(invalid(child(p, 'ip'), a.ip ?? '', 'must be valid IP address'));
    (a.hostnames ?? []).forEach((h, j) => {
      for (const msg of isDNS1123Subdomain(h)) errs.push(invalid(index(child(p, 'hostnames'), j), h, msg));
    });
  });
  (spec.readinessGates ?? []).forEach((g, i) => {
    const p = child(index(child(path, 'readinessGates'), i), 'conditionType');
    for (const msg of isQualifiedName(g.conditionType ?? '')) errs.push(invalid(p, g.conditionType ?? '', msg));
  });
  if (spec.shareProcessNamespace && spec.hostPID) {
    errs.push(invalid(child(path, 'shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  if ((spec.ephemeralContainers ?? []).length > 0) errs.push(forbidden(child(path, 'ephemeralContainers'), 'cannot be set on create'));

  const volumes = validateVolumes(spec.volumes ?? [], child(path, 'volumes'));
  errs.push(...volumes.errors);
  validateContainers(spec, { volumeNames: volumes.names, grace, hostNetwork: spec.hostNetwork === true, hostUsers: spec.hostUsers !== false }, out);
  errs.push(...validatePodSecurityContext(spec));
  // What the node could never run, though the API server would take it (see each file).
  errs.push(...validateCounts(spec), ...validateNulBytes(spec));
  warnStopSignalWithoutOS(spec, out);
}

/**
 * The API server only accepts lifecycle.stopSignal on pods that declare spec.os.name (the
 * valid signals depend on it). tinylet runs Linux only and does not insist, but says so, since
 * the same manifest would be refused by a cluster.
 */
function warnStopSignalWithoutOS(spec: PodSpec, out: Findings): void {
  if (spec.os?.name) return;
  for (const group of ['containers', 'initContainers'] as const) {
    (spec[group] ?? []).forEach((c, i) => {
      if ((c.lifecycle as { stopSignal?: string } | undefined)?.stopSignal === undefined) return;
      const path = `spec.${group}[${i}].lifecycle.stopSignal`;
      out.warnings.push({ path, kind: 'invalid', message: 'a cluster requires spec.os.name (e.g. linux) with stopSignal; tinylet assumes linux' });
    });
  }
}
