// The per-container part of kubectl describe pod (describeContainers and its helpers): ids and
// image, ports, command/args, state and last state, readiness, restarts, resources, probes,
// environment and mounts, in kubectl's order and wording.
import type { Container, ContainerState, ContainerStatus, EnvVar, Pod, Probe } from '../types.js';
import { formatRFC1123Z, parseQuantity, type PrefixWriter } from './describeUtil.js';

export function describeContainers(
  w: PrefixWriter, label: string, containers: Container[], statuses: ContainerStatus[] | undefined, pod: Pod,
): void {
  const byName = new Map((statuses ?? []).map((s) => [s.name, s] as const));
  w.write(0, `${label}:${containers.length ? '' : ' <none>'}\n`);
  for (const c of containers) {
    const st = byName.get(c.name);
    w.write(1, `${c.name}:\n`);
    if (st) w.write(2, `Container ID:\t${st.containerID ?? ''}\n`);
    w.write(2, `Image:\t${c.image ?? ''}\n`);
    if (st) w.write(2, `Image ID:\t${st.imageID ?? ''}\n`);
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? ''}`).join(', ');
    w.write(2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${ports || '<none>'}\n`);
    const hostPorts = (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? ''}`).join(', ');
    w.write(2, hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${hostPorts || '<none>'}\n`);
    describeCommand(w, c);
    if (st) {
      describeState(w, 'State', st.state);
      if (st.lastState?.terminated) describeState(w, 'Last State', st.lastState);
      w.write(2, `Ready:\t${st.ready ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${st.restartCount ?? 0}\n`);
    }
    describeResources(w, c);
    if (c.livenessProbe) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    if (c.startupProbe) w.write(2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
    if (c.envFrom?.length) describeEnvFrom(w, c);
    describeEnv(w, c, pod);
    describeMounts(w, c);
  }
}

function describeCommand(w: PrefixWriter, c: Container): void {
  for (const [title, list] of [['Command', c.command], ['Args', c.args]] as const) {
    if (!list?.length) continue;
    w.write(2, `${title}:\n`);
    for (const item of list) for (const line of item.split('\n')) w.write(3, `${line}\n`);
  }
}

function describeState(w: PrefixWriter, name: string, state: ContainerState | undefined): void {
  const opts = w.opts;
  if (state?.running) {
    w.write(2, `${name}:\tRunning\n`);
    w.write(3, `Started:\t${formatRFC1123Z(state.running.startedAt, opts)}\n`);
  } else if (state?.waiting) {
    w.write(2, `${name}:\tWaiting\n`);
    if (state.waiting.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state?.terminated) {
    const t = state.terminated;
    w.write(2, `${name}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if (t.signal && t.signal > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${formatRFC1123Z(t.startedAt, opts)}\n`);
    w.write(3, `Finished:\t${formatRFC1123Z(t.finishedAt, opts)}\n`);
  } else {
    w.write(2, `${name}:\tWaiting\n`);
  }
}

function describeResources(w: PrefixWriter, c: Container): void {
  for (const [title, list] of [['Limits', c.resources?.limits], ['Requests', c.resources?.requests]] as const) {
    const names = Object.keys(list ?? {}).sort();
    if (names.length) w.write(2, `${title}:\n`);
    for (const n of names) w.write(3, `${n}:\t${String(list![n])}\n`);
  }
}

/** DescribeProbe. Unset numbers print as Go's zero values, as kubectl would show them. */
export function describeProbe(p: Probe): string {
  const attrs =
    `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s ` +
    `#success=${p.successThreshold ?? 0} #failure=${p.failureThreshold ?? 0}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const g = p.httpGet;
    const host = (g.host ?? '').includes(':') ? `[${g.host}]` : g.host ?? '';
    const port = String(g.port ?? '');
    let path = (g.path ?? '').replace(/[ ?#%]/g, (ch) => encodeURIComponent(ch));
    if (path && !path.startsWith('/')) path = `/${path}`;
    // Go's url.URL.String(): "scheme:" only when set, then "//host:port/path".
    const scheme = (g.scheme ?? '').toLowerCase();
    return `http-get ${scheme ? `${scheme}:` : ''}//${port ? `${host}:${port}` : host}${path} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${String(p.tcpSocket.port)} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function describeEnvFrom(w: PrefixWriter, c: Container): void {
  w.write(2, 'Environment Variables from:\n');
  for (const e of c.envFrom ?? []) {
    const ref = e.configMapRef ?? e.secretRef;
    const from = e.configMapRef ? 'ConfigMap' : e.secretRef ? 'Secret' : '';
    const optional = ref?.optional === true;
    const what = e.prefix ? `${from} with prefix '${e.prefix}'` : from;
    w.write(3, `${ref?.name ?? ''}\t${what}\tOptional: ${optional}\n`);
  }
}

/**
 * kubectl resolves fieldRef values through the pod field-label conversion and then
 * fieldpath.ExtractFieldPathAsString, so in practice only metadata.name and metadata.namespace
 * come out non-empty (e.g. "HOST_IP:   (v1:status.hostIP)").
 */
function fieldRefValue(pod: Pod, path: string): string {
  if (path === 'metadata.name') return pod.metadata?.name ?? '';
  if (path === 'metadata.namespace') return pod.metadata?.namespace ?? '';
  return '';
}

function resourceFieldValue(c: Container, e: EnvVar): string {
  const ref = e.valueFrom!.resourceFieldRef!;
  const [kind, name] = ref.resource.split('.') as ['limits' | 'requests', string];
  const raw = c.resources?.[kind]?.[name];
  const divisor = parseQuantity(ref.divisor ?? '1') || 1;
  const value = raw === undefined ? 0 : Math.ceil(parseQuantity(raw) / divisor);
  if (value === 0 && (ref.resource === 'limits.cpu' || ref.resource === 'limits.memory')) return 'node allocatable';
  return Number.isNaN(value) ? '' : String(value);
}

function describeEnv(w: PrefixWriter, c: Container, pod: Pod): void {
  w.write(2, `Environment:${c.env?.length ? '' : '\t<none>'}\n`);
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      (e.value ?? '').split('\n').forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
    } else if (vf.fieldRef) {
      const api = vf.fieldRef.apiVersion ?? ''; // the server defaults it to v1
      w.write(3, `${e.name}:\t${fieldRefValue(pod, vf.fieldRef.fieldPath)} (${api}:${vf.fieldRef.fieldPath})\n`);
    } else if (vf.resourceFieldRef) {
      w.write(3, `${e.name}:\t${resourceFieldValue(c, e)} (${vf.resourceFieldRef.resource})\n`);
    } else if (vf.secretKeyRef) {
      const r = vf.secretKeyRef;
      w.write(3, `${e.name}:\t<set to the key '${r.key}' in secret '${r.name ?? ''}'>\tOptional: ${r.optional === true}\n`);
    } else if (vf.configMapKeyRef) {
      const r = vf.configMapKeyRef;
      w.write(3, `${e.name}:\t<set to the key '${r.key}' of config map '${r.name ?? ''}'>\tOptional: ${r.optional === true}\n`);
    }
  }
}

function describeMounts(w: PrefixWriter, c: Container): void {
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
  w.write(2, `Mounts:${mounts.length ? '' : '\t<none>'}\n`);
  for (const m of mounts) {
    const flags = [m.readOnly ? 'ro' : 'rw'];
    if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
    w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
}
