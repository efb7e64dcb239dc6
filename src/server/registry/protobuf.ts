// Request bodies in the API server's protobuf encoding (`application/vnd.kubernetes.protobuf`),
// which client-go's typed clients send from kubectl 1.32 on (`kubectl create configmap`, `create
// secret`, `create service`, `create namespace`): the `k8s\0` magic, then a runtime.Unknown{typeMeta, raw} whose raw is
// the object's message (k8s.io/api/core/v1/generated.proto). Only the kinds below are decoded, into
// the JSON form every other path takes; another kind, or a field this decoder does not know that
// carries a value, is refused rather than silently dropped. Responses stay JSON (clients send
// `Accept: application/vnd.kubernetes.protobuf,application/json`).
import { rfc3339 } from '../../api/time.js';
import { ApiError, badRequest } from '../status.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'intOrString' | 'stringMap' | 'bytesMap';
interface Field {
  name: string;
  type: Scalar | Message;
  repeated?: boolean;
  /** A pointer in Go: its zero value is a value (immutable: false), not an absent field. */
  ptr?: boolean;
}
type Message = Record<number, Field>;

const f = (name: string, type: Scalar | Message, opts: { repeated?: boolean; ptr?: boolean } = {}): Field => ({ name, type, ...opts });

const ownerReference: Message = {
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('controller', 'bool', { ptr: true }),
  7: f('blockOwnerDeletion', 'bool', { ptr: true }),
};

const objectMeta: Message = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  4: f('selfLink', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: f('deletionGracePeriodSeconds', 'int', { ptr: true }),
  11: f('labels', 'stringMap'),
  12: f('annotations', 'stringMap'),
  13: f('ownerReferences', ownerReference, { repeated: true }),
  14: f('finalizers', 'string', { repeated: true }),
};

const servicePort: Message = {
  1: f('name', 'string'),
  2: f('protocol', 'string'),
  3: f('port', 'int'),
  4: f('targetPort', 'intOrString'),
  5: f('nodePort', 'int'),
  6: f('appProtocol', 'string'),
};

const serviceSpec: Message = {
  1: f('ports', servicePort, { repeated: true }),
  2: f('selector', 'stringMap'),
  3: f('clusterIP', 'string'),
  4: f('type', 'string'),
  5: f('externalIPs', 'string', { repeated: true }),
  7: f('sessionAffinity', 'string'),
  8: f('loadBalancerIP', 'string'),
  9: f('loadBalancerSourceRanges', 'string', { repeated: true }),
  10: f('externalName', 'string'),
  11: f('externalTrafficPolicy', 'string'),
  12: f('healthCheckNodePort', 'int'),
  13: f('publishNotReadyAddresses', 'bool'),
  14: f('sessionAffinityConfig', { 1: f('clientIP', { 1: f('timeoutSeconds', 'int', { ptr: true }) }) }),
  17: f('ipFamilyPolicy', 'string'),
  18: f('clusterIPs', 'string', { repeated: true }),
  19: f('ipFamilies', 'string', { repeated: true }),
  20: f('allocateLoadBalancerNodePorts', 'bool', { ptr: true }),
  21: f('loadBalancerClass', 'string'),
  22: f('internalTrafficPolicy', 'string'),
  23: f('trafficDistribution', 'string'),
};

/** meta/v1 DeleteOptions, inside an Eviction (kubectl 1.32's drain sends policy/v1 ones as protobuf). */
const deleteOptions: Message = {
  1: f('gracePeriodSeconds', 'int', { ptr: true }),
  2: f('preconditions', { 1: f('uid', 'string', { ptr: true }), 2: f('resourceVersion', 'string', { ptr: true }) }),
  3: f('orphanDependents', 'bool', { ptr: true }),
  4: f('propagationPolicy', 'string', { ptr: true }),
  5: f('dryRun', 'string', { repeated: true }),
  6: f('ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', { ptr: true }),
};
const eviction: Message = { 1: f('metadata', objectMeta), 2: f('deleteOptions', deleteOptions) };

/** meta/v1 LabelSelector; policy/v1 PodDisruptionBudgetSpec (kubectl 1.32's `create pdb`). */
const labelSelector: Message = {
  1: f('matchLabels', 'stringMap'),
  2: f('matchExpressions', { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', { repeated: true }) }, { repeated: true }),
};
const podDisruptionBudgetSpec: Message = {
  1: f('minAvailable', 'intOrString', { ptr: true }),
  2: f('selector', labelSelector, { ptr: true }),
  3: f('maxUnavailable', 'intOrString', { ptr: true }),
  4: f('unhealthyPodEvictionPolicy', 'string', { ptr: true }),
};

const selfSubjectAccessReviewSpec: Message = {
  1: f('resourceAttributes', {
    1: f('namespace', 'string'),
    2: f('verb', 'string'),
    3: f('group', 'string'),
    4: f('version', 'string'),
    5: f('resource', 'string'),
    6: f('subresource', 'string'),
    7: f('name', 'string'),
  }, { ptr: true }),
  2: f('nonResourceAttributes', { 1: f('path', 'string'), 2: f('verb', 'string') }, { ptr: true }),
};

/** The messages of the kinds decoded, by group/version/kind. A status is dropped on create anyway. */
const MESSAGES: Record<string, Message> = {
  'policy/v1/Eviction': eviction,
  'policy/v1beta1/Eviction': eviction,
  'policy/v1/PodDisruptionBudget': { 1: f('metadata', objectMeta), 2: f('spec', podDisruptionBudgetSpec), 3: f('status', {}) },
  'v1/ConfigMap': { 1: f('metadata', objectMeta), 2: f('data', 'stringMap'), 3: f('binaryData', 'bytesMap'), 4: f('immutable', 'bool', { ptr: true }) },
  'v1/Secret': { 1: f('metadata', objectMeta), 2: f('data', 'bytesMap'), 3: f('type', 'string'), 4: f('stringData', 'stringMap'), 5: f('immutable', 'bool', { ptr: true }) },
  'v1/Service': { 1: f('metadata', objectMeta), 2: f('spec', serviceSpec), 3: f('status', {}) },
  // kubectl auth can-i (k8s.io/api/authorization/v1/generated.proto); selectors of 1.31+ are refused.
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { 1: f('metadata', objectMeta), 2: f('spec', selfSubjectAccessReviewSpec), 3: f('status', {}) },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: f('metadata', objectMeta), 2: f('spec', { 1: f('namespace', 'string') }), 3: f('status', {}) },
  'v1/Namespace': { 1: f('metadata', objectMeta), 2: f('spec', { 1: f('finalizers', 'string', { repeated: true }) }), 3: f('status', {}) },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length || shift > 63n) throw badRequest('the protobuf body is truncated or malformed');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    if (this.pos + n > this.buf.length) throw badRequest('the protobuf body is truncated or malformed');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): boolean {
    if (wire === 0) return this.varint() !== 0n;
    if (wire === 2) return this.bytes().length > 0;
    if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      const nonZero = this.buf.subarray(this.pos, this.pos + n).some((b) => b !== 0);
      this.pos += n;
      return nonZero;
    }
    throw badRequest(`the protobuf body uses wire type ${wire}, which Kubernetes objects do not`);
  }
}

/** A signed int64 from its varint (negative values are ten-byte two's complement). */
const int64 = (v: bigint): number => Number(BigInt.asIntN(64, v));

function entries(buf: Buffer, where: string): Map<number, { wire: number; value: bigint | Buffer }[]> {
  const r = new Reader(buf);
  const out = new Map<number, { wire: number; value: bigint | Buffer }[]>();
  while (!r.done) {
    const key = r.varint();
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Buffer;
    if (wire === 0) value = r.varint();
    else if (wire === 2) value = r.bytes();
    else {
      if (r.skip(wire)) throw badRequest(`${where}: field ${no} of the protobuf body is not one tinylet decodes; send the object as JSON`);
      continue;
    }
    const list = out.get(no) ?? [];
    list.push({ wire, value });
    out.set(no, list);
  }
  return out;
}

function mapEntry(buf: Buffer, where: string, bytesValue: boolean): [string, string] {
  const e = entries(buf, where);
  const key = e.get(1)?.at(-1)?.value;
  const value = e.get(2)?.at(-1)?.value;
  const k = Buffer.isBuffer(key) ? key.toString('utf8') : '';
  const v = Buffer.isBuffer(value) ? value : Buffer.alloc(0);
  return [k, bytesValue ? v.toString('base64') : v.toString('utf8')];
}

function scalar(type: Scalar, wire: number, value: bigint | Buffer, where: string): { value: unknown; zero: boolean } {
  const need = (w: number) => {
    if (wire !== w) throw badRequest(`${where}: unexpected protobuf wire type ${wire}`);
  };
  switch (type) {
    case 'string':
      need(2);
      return { value: (value as Buffer).toString('utf8'), zero: (value as Buffer).length === 0 };
    case 'bytes':
      need(2);
      return { value: (value as Buffer).toString('base64'), zero: (value as Buffer).length === 0 };
    case 'int': {
      need(0);
      const n = int64(value as bigint);
      return { value: n, zero: n === 0 };
    }
    case 'bool':
      need(0);
      return { value: value !== 0n, zero: value === 0n };
    case 'time': {
      need(2);
      const t = entries(value as Buffer, where);
      const seconds = t.get(1)?.at(-1)?.value;
      const s = typeof seconds === 'bigint' ? int64(seconds) : 0;
      return { value: s === 0 ? undefined : rfc3339(new Date(s * 1000)), zero: s === 0 };
    }
    case 'intOrString': {
      need(2);
      const t = entries(value as Buffer, where);
      const kind = t.get(1)?.at(-1)?.value;
      if (typeof kind === 'bigint' && kind === 1n) {
        const s = t.get(3)?.at(-1)?.value;
        const str = Buffer.isBuffer(s) ? s.toString('utf8') : '';
        return { value: str, zero: str === '' };
      }
      const i = t.get(2)?.at(-1)?.value;
      const n = typeof i === 'bigint' ? int64(i) : 0;
      return { value: n, zero: n === 0 };
    }
    default:
      throw badRequest(`${where}: unexpected protobuf field type`);
  }
}

function decodeMessage(buf: Buffer, message: Message, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [no, values] of entries(buf, where)) {
    const field = message[no];
    if (!field) {
      // Generated Go code writes every non-pointer field, zero or not: only a value is an unknown field.
      const empty = values.every(({ value }) => (Buffer.isBuffer(value) ? value.length === 0 : value === 0n));
      if (empty) continue;
      throw badRequest(`${where}: field ${no} of the protobuf body is not one tinylet decodes; send the object as JSON`);
    }
    const path = where ? `${where}.${field.name}` : field.name;
    const { type } = field;
    if (type === 'stringMap' || type === 'bytesMap') {
      const map: Record<string, string> = {};
      for (const { value } of values) {
        if (!Buffer.isBuffer(value)) throw badRequest(`${path}: unexpected protobuf wire type`);
        const [k, v] = mapEntry(value, path, type === 'bytesMap');
        map[k] = v;
      }
      if (Object.keys(map).length > 0) out[field.name] = map;
      continue;
    }
    const one = (wire: number, value: bigint | Buffer): { value: unknown; zero: boolean } => {
      if (typeof type === 'object') {
        if (!Buffer.isBuffer(value)) throw badRequest(`${path}: unexpected protobuf wire type ${wire}`);
        const v = decodeMessage(value, type, path);
        return { value: v, zero: Object.keys(v).length === 0 };
      }
      return scalar(type, wire, value, path);
    };
    if (field.repeated) {
      out[field.name] = values.map(({ wire, value }) => one(wire, value).value);
      continue;
    }
    const last = values.at(-1)!;
    const v = one(last.wire, last.value);
    if (!v.zero || field.ptr) out[field.name] = v.value;
  }
  return out;
}

/** The object of a protobuf body for the kind `group/version/kind`; a 415 for a kind not decoded. */
export function decodeProtobufObject(body: Buffer, group: string, version: string, kind: string): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  const gv = group ? `${group}/${version}` : version;
  const message = MESSAGES[`${gv}/${kind}`];
  if (!message) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - tinylet decodes protobuf only for ${Object.keys(MESSAGES).join(', ')}; accepted media types include: application/json, application/yaml`);
  }
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw badRequest('the protobuf body does not start with the Kubernetes magic number');
  const unknown = entries(body.subarray(MAGIC.length), '');
  const typeMeta = unknown.get(1)?.at(-1)?.value;
  const raw = unknown.get(2)?.at(-1)?.value;
  const tm = Buffer.isBuffer(typeMeta) ? entries(typeMeta, 'typeMeta') : new Map();
  const str = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : '');
  const apiVersion = str(tm.get(1)?.at(-1)?.value) || gv;
  const bodyKind = str(tm.get(2)?.at(-1)?.value) || kind;
  const encoding = str(unknown.get(3)?.at(-1)?.value);
  if (encoding) throw badRequest(`the protobuf body's content encoding ${JSON.stringify(encoding)} is not supported`);
  if (bodyKind !== kind || apiVersion !== gv) return { apiVersion, kind: bodyKind };
  const obj = decodeMessage(Buffer.isBuffer(raw) ? raw : Buffer.alloc(0), message, '');
  delete obj.status;
  return { apiVersion, kind: bodyKind, ...obj };
}

