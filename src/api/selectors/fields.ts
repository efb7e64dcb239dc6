// Field selectors (`?fieldSelector=`), as apimachinery fields.ParseSelector parses them and the
// API server evaluates them: only `=`, `==` and `!=`, comma-separated (a backslash escapes `,`,
// `=` and itself in values), over a fixed set of fields per kind. A field outside that set is
// rejected before any object is looked at, with the server's "field label not supported: x".
import type { Event, Namespace, Pod } from '../types.js';

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

export interface FieldGetter<T> {
  /** Field labels the API server accepts for this kind. */
  readonly fields: readonly string[];
  /** Legacy names the server converts before matching (pods: spec.host -> spec.nodeName). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The value the server's selectable-fields set holds ("" when absent, like fields.Set.Get). */
  get(obj: T, field: string): string;
}

/** Splits on unescaped commas; the escapes stay in place for unescapeValue. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator occurrence splits the term; `!=` and `==` are tried before `=`. */
function splitTerm(term: string): [string, FieldRequirement['operator'], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its number ("61" for '=').
      throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

/**
 * Parses a field selector; the empty string selects everything. With a getter, the fields are
 * also checked (and aliases resolved) the way the API server does on list/watch.
 */
export function parseFieldSelector<T>(s: string, getter?: FieldGetter<T>): FieldRequirement[] {
  const parts = splitTerms(s).sort(); // Go sorts the terms, so errors name the first in that order
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new Error(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, operator, raw] = split;
    reqs.push({ field, operator, value: unescapeValue(raw) });
  }
  return getter ? reqs.map((r) => ({ ...r, field: checkField(r.field, getter) })) : reqs;
}

function checkField<T>(field: string, getter: FieldGetter<T>): string {
  const alias = getter.aliases?.[field];
  if (alias) return alias;
  if (!getter.fields.includes(field)) throw new Error(`field label not supported: ${field}`);
  return field;
}

/** True when the object satisfies every requirement. Throws on a field the getter doesn't know. */
export function matchesFields<T>(reqs: FieldRequirement[], getter: FieldGetter<T>, obj: T): boolean {
  return reqs.every((r) => {
    const v = getter.get(obj, checkField(r.field, getter));
    return r.operator === '!=' ? v !== r.value : v === r.value;
  });
}

const meta = (o: { metadata?: { name?: string; namespace?: string } }, field: string): string | undefined =>
  field === 'metadata.name' ? o.metadata?.name ?? '' : field === 'metadata.namespace' ? o.metadata?.namespace ?? '' : undefined;

/**
 * Pods (pkg/registry/core/pod ToSelectableFields). Unset spec fields read as the API server's
 * defaults, since a real server would have stored them defaulted. status.podIPs is accepted by
 * the server's conversion but absent from its field set, so it only ever equals "".
 */
export const podFieldGetter: FieldGetter<Pod> = {
  fields: [
    'metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName',
    'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs',
    'status.nominatedNodeName',
  ],
  aliases: { 'spec.host': 'spec.nodeName' },
  get(pod, field) {
    const m = meta(pod, field);
    if (m !== undefined) return m;
    const spec = pod.spec;
    const status = pod.status;
    switch (field) {
      case 'spec.nodeName': return spec?.nodeName ?? '';
      case 'spec.restartPolicy': return spec?.restartPolicy ?? 'Always';
      case 'spec.schedulerName': return spec?.schedulerName ?? 'default-scheduler';
      case 'spec.serviceAccountName': return spec?.serviceAccountName ?? 'default';
      case 'spec.hostNetwork': return String(spec?.hostNetwork ?? false);
      case 'status.phase': return status?.phase ?? '';
      // The server reads podIPs[0], not podIP.
      case 'status.podIP': return status?.podIPs?.[0]?.ip ?? status?.podIP ?? '';
      case 'status.nominatedNodeName': return status?.nominatedNodeName ?? '';
      default: return '';
    }
  },
};

/** Events (pkg/registry/core/event ToSelectableFields). */
export const eventFieldGetter: FieldGetter<Event> = {
  fields: [
    'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
    'reportingComponent', 'source', 'type', 'metadata.namespace', 'metadata.name',
  ],
  get(ev, field) {
    const m = meta(ev, field);
    if (m !== undefined) return m;
    if (field.startsWith('involvedObject.')) {
      const k = field.slice('involvedObject.'.length) as keyof Event['involvedObject'];
      return String(ev.involvedObject?.[k] ?? '');
    }
    switch (field) {
      case 'reason': return ev.reason ?? '';
      case 'reportingComponent': return ev.reportingComponent ?? '';
      // source.component, falling back to the new-style reporting controller.
      case 'source': return ev.source?.component || ev.reportingComponent || '';
      case 'type': return ev.type ?? '';
      default: return '';
    }
  },
};

/** Namespaces (cluster-scoped: no metadata.namespace). */
export const namespaceFieldGetter: FieldGetter<Namespace> = {
  fields: ['metadata.name', 'status.phase'],
  get(ns, field) {
    if (field === 'metadata.name') return ns.metadata?.name ?? '';
    if (field === 'status.phase') return ns.status?.phase ?? '';
    return '';
  },
};
