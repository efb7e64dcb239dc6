// The defaults the API server writes into an object on create (pkg/apis/core/v1/defaults.go and
// the registry's create strategy), so a tinylet pod reads back like a cluster's: `kubectl get -o
// yaml` users expect `restartPolicy: Always`, `imagePullPolicy`, probe timings and so on to be there.
// Defaulting never fails: a field of the wrong type is left alone for validation to report.
import { randomUUID } from 'node:crypto';
import type { Pod, Service } from './types.js';
import { rfc3339 } from './time.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null || v === '';
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** RFC 3339 with whole seconds, as metav1.Time serialises. */
export { rfc3339 } from './time.js';

// k8s.io/apimachinery's rand.String alphabet: no vowels, so generated names never spell words.
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATE_NAME_PREFIX = 58; // 63 - 5, so the result still fits a DNS label

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
  return prefix.slice(0, MAX_GENERATE_NAME_PREFIX) + suffix;
}

function defaultObjectMeta(obj: Obj, now: Date): void {
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  const meta = obj.metadata;
  if (!isObj(meta)) return;
  if (absent(meta.name) && typeof meta.generateName === 'string' && meta.generateName) meta.name = generateName(meta.generateName);
  if (absent(meta.namespace)) meta.namespace = 'default';
  if (absent(meta.uid)) meta.uid = randomUUID();
  if (absent(meta.creationTimestamp)) meta.creationTimestamp = rfc3339(now);
}

/**
 * The tag decides the pull policy, as in the API server: `latest` or no tag at all means Always,
 * anything else (including a digest without a tag) means IfNotPresent.
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const [name = '', digest] = image.split('@');
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? name.slice(colon + 1) : digest ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: unknown): void {
  if (!isObj(h)) return;
  if (absent(h.path)) h.path = '/';
  if (absent(h.scheme)) h.scheme = 'HTTP';
}

/**
 * Unlike the API server we fill only *absent* timings: Go cannot tell `periodSeconds: 0` from
 * "unset" and quietly turns it into 10, but an explicit 0 is almost always a mistake worth
 * reporting, so validation gets to see it.
 */
function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  defaultHTTPGet(p.httpGet);
  if (isObj(p.grpc)) p.grpc.service ??= '';
}

function defaultContainer(c: Obj, hostNetwork: boolean): void {
  if (absent(c.imagePullPolicy) && typeof c.image === 'string') c.imagePullPolicy = defaultPullPolicy(c.image.trim());
  if (absent(c.terminationMessagePath)) c.terminationMessagePath = '/dev/termination-log';
  if (absent(c.terminationMessagePolicy)) c.terminationMessagePolicy = 'File';
  c.resources ??= {};
  const res = c.resources;
  // Requests default to limits (SetDefaults_Pod), so a limit alone also reserves that much.
  if (isObj(res) && isObj(res.limits)) {
    if (res.requests === undefined || res.requests === null) res.requests = {};
    if (isObj(res.requests)) for (const [k, v] of Object.entries(res.limits)) res.requests[k] ??= v;
  }
  for (const port of objects(c.ports)) {
    if (absent(port.protocol)) port.protocol = 'TCP';
    if (hostNetwork && (port.hostPort === undefined || port.hostPort === null || port.hostPort === 0)) port.hostPort = port.containerPort;
  }
  for (const env of objects(c.env)) {
    if (isObj(env.valueFrom) && isObj(env.valueFrom.fieldRef) && absent(env.valueFrom.fieldRef.apiVersion)) env.valueFrom.fieldRef.apiVersion = 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    if (isObj(c.lifecycle.postStart)) defaultHTTPGet(c.lifecycle.postStart.httpGet);
    if (isObj(c.lifecycle.preStop)) defaultHTTPGet(c.lifecycle.preStop.httpGet);
  }
}

const FILE_MODE_0644 = 0o644;

function defaultVolume(v: Obj): void {
  const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  // A volume that names no source is an emptyDir (SetDefaults_Volume).
  if (sources.length === 0) v.emptyDir = {};
  if (isObj(v.hostPath)) v.hostPath.type ??= '';
  for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) if (isObj(v[s])) v[s].defaultMode ??= FILE_MODE_0644;
  // SetDefaults_ServiceAccountTokenProjection: an hour.
  if (isObj(v.projected)) for (const src of objects(v.projected.sources)) if (isObj(src.serviceAccountToken)) src.serviceAccountToken.expirationSeconds ??= 3600;
}

function defaultPodSpec(spec: Obj): void {
  if (absent(spec.dnsPolicy)) spec.dnsPolicy = 'ClusterFirst';
  if (absent(spec.restartPolicy)) spec.restartPolicy = 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  if (absent(spec.schedulerName)) spec.schedulerName = 'default-scheduler';
  spec.enableServiceLinks ??= true;
  const hostNetwork = spec.hostNetwork === true;
  for (const c of [...objects(spec.initContainers), ...objects(spec.containers), ...objects(spec.ephemeralContainers)]) defaultContainer(c, hostNetwork);
  for (const v of objects(spec.volumes)) defaultVolume(v);
}

/** A new Pod with the API server's defaults applied; the input is not modified. */
export function defaultPod(pod: Pod, now: Date = new Date()): Pod {
  const p: unknown = structuredClone(pod);
  if (!isObj(p)) return p as Pod;
  defaultObjectMeta(p, now);
  if (p.spec === undefined || p.spec === null) p.spec = {};
  if (isObj(p.spec)) defaultPodSpec(p.spec);
  // The registry starts every new pod Pending; a stored pod keeps the status it has.
  if (p.status === undefined || p.status === null) p.status = {};
  if (isObj(p.status) && absent(p.status.phase)) p.status.phase = 'Pending';
  return p as Pod;
}

/** A new Service with the defaults tinylet relies on (SetDefaults_Service). */
export function defaultService(svc: Service, now: Date = new Date()): Service {
  const s: unknown = structuredClone(svc);
  if (!isObj(s)) return s as Service;
  defaultObjectMeta(s, now);
  if (s.spec === undefined || s.spec === null) s.spec = {};
  const spec = s.spec;
  if (!isObj(spec)) return s as Service;
  if (absent(spec.type)) spec.type = 'ClusterIP';
  if (absent(spec.sessionAffinity)) spec.sessionAffinity = 'None';
  // Affinity settings mean nothing without affinity; the API server drops them.
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  for (const port of objects(spec.ports)) {
    if (absent(port.protocol)) port.protocol = 'TCP';
    if (absent(port.targetPort) || port.targetPort === 0) port.targetPort = port.port;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && absent(spec.externalTrafficPolicy)) spec.externalTrafficPolicy = 'Cluster';
  if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type) && absent(spec.internalTrafficPolicy)) spec.internalTrafficPolicy = 'Cluster';
  return s as Service;
}
