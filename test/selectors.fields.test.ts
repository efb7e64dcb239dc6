import { describe, expect, it } from 'vitest';
import type { Event, Pod } from '../src/api/types.js';
import {
  eventFieldGetter, matchesFields, namespaceFieldGetter, parseFieldSelector, podFieldGetter,
} from '../src/api/selectors/fields.js';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'default' },
  spec: { nodeName: 'tinylet', containers: [{ name: 'c' }] },
  status: { phase: 'Running', podIP: '10.88.0.4', podIPs: [{ ip: '10.88.0.4' }] },
};
const podMatch = (sel: string, p: Pod = pod) => matchesFields(parseFieldSelector(sel, podFieldGetter), podFieldGetter, p);

describe('parseFieldSelector', () => {
  it('parses =, == and != separated by commas', () => {
    expect(parseFieldSelector('status.phase!=Running,metadata.name==web,spec.nodeName=n')).toEqual([
      { field: 'metadata.name', operator: '==', value: 'web' },
      { field: 'spec.nodeName', operator: '=', value: 'n' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
    expect(parseFieldSelector('')).toEqual([]);
    expect(parseFieldSelector('a=')).toEqual([{ field: 'a', operator: '=', value: '' }]);
  });
  it('unescapes \\, \\= and \\\\ in values', () => {
    expect(parseFieldSelector('a=x\\,y\\=z\\\\')).toEqual([{ field: 'a', operator: '=', value: 'x,y=z\\' }]);
  });
  it('reports syntax errors like the API server', () => {
    expect(() => parseFieldSelector('abc')).toThrow("invalid selector: 'abc'; can't understand 'abc'");
    expect(() => parseFieldSelector('a=b=c')).toThrow('invalid field selector: unescaped character in value: 61');
    expect(() => parseFieldSelector('a=b\\x')).toThrow('invalid field selector: invalid escape sequence: \\x');
  });
  it('rejects fields the kind does not index', () => {
    expect(() => parseFieldSelector('spec.containers=x', podFieldGetter)).toThrow('field label not supported: spec.containers');
    expect(() => parseFieldSelector('status.podIP=1', eventFieldGetter)).toThrow('field label not supported: status.podIP');
  });
});

describe('podFieldGetter', () => {
  it('matches the fields the API server supports for pods', () => {
    expect(podMatch('metadata.name=web,metadata.namespace=default')).toBe(true);
    expect(podMatch('spec.nodeName=tinylet')).toBe(true);
    expect(podMatch('spec.host=tinylet')).toBe(true); // legacy alias
    expect(podMatch('status.phase!=Running')).toBe(false);
    expect(podMatch('status.phase!=Succeeded,status.phase!=Failed')).toBe(true);
    expect(podMatch('status.podIP=10.88.0.4')).toBe(true);
    expect(podMatch('spec.nodeName=')).toBe(false);
    expect(podMatch('status.nominatedNodeName=')).toBe(true);
  });
  it('reads unset spec fields as the API defaults', () => {
    expect(podMatch('spec.restartPolicy=Always,spec.schedulerName=default-scheduler,spec.serviceAccountName=default,spec.hostNetwork=false')).toBe(true);
  });
  it('status.podIPs is accepted but never indexed', () => {
    expect(podMatch('status.podIPs=')).toBe(true);
    expect(podMatch('status.podIPs=10.88.0.4')).toBe(false);
  });
});

describe('eventFieldGetter', () => {
  const ev: Event = {
    metadata: { name: 'web.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{c}' },
    reason: 'BackOff', type: 'Warning', reportingComponent: 'kubelet',
  };
  const m = (sel: string) => matchesFields(parseFieldSelector(sel, eventFieldGetter), eventFieldGetter, ev);
  it('matches involvedObject.* and the event fields', () => {
    expect(m('involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u1')).toBe(true);
    expect(m('involvedObject.kind=Pod,involvedObject.fieldPath=spec.containers{c},involvedObject.apiVersion=v1')).toBe(true);
    expect(m('reason=BackOff,type=Warning,metadata.name=web.1')).toBe(true);
    expect(m('type!=Warning')).toBe(false);
  });
  it('source falls back to reportingComponent', () => {
    expect(m('source=kubelet,reportingComponent=kubelet')).toBe(true);
  });
});

describe('namespaceFieldGetter', () => {
  it('supports metadata.name and status.phase only', () => {
    const ns = { metadata: { name: 'default' }, status: { phase: 'Active' } };
    expect(matchesFields(parseFieldSelector('status.phase=Active', namespaceFieldGetter), namespaceFieldGetter, ns)).toBe(true);
    expect(() => parseFieldSelector('metadata.namespace=x', namespaceFieldGetter)).toThrow('field label not supported: metadata.namespace');
  });
});
