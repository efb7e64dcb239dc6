// The events API side of event aggregation: tinylet serves core/v1 Events only (no events.k8s.io
// group in discovery or the router), so a repeated event reaches clients as the kubelet's does on a
// cluster: one object whose count, firstTimestamp, lastTimestamp (and series) the list and get
// return as recorded, and a MODIFIED watch event for each repeat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatchHub } from '../src/server/watchHub.js';
import { collectWatch, isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const pods = '/api/v1/namespaces/default/pods';
const events = '/api/v1/namespaces/default/events';

describe('watch hub', () => {
  it('turns an ADDED for an object it holds into MODIFIED, with the previous object', () => {
    let rv = 10;
    const hub = new WatchHub<{ metadata: { name: string; namespace: string; resourceVersion: string } }>(10, () => String(++rv));
    const seen: { type: string; previous?: unknown }[] = [];
    hub.on('change', (e) => seen.push({ type: e.type, previous: e.previous }));
    const a = { metadata: { name: 'e', namespace: 'default', resourceVersion: String(++rv) } };
    const b = { metadata: { name: 'e', namespace: 'default', resourceVersion: String(++rv) } };
    hub.publish('ADDED', a);
    hub.publish('ADDED', b);
    expect(seen).toEqual([{ type: 'ADDED', previous: undefined }, { type: 'MODIFIED', previous: a }]);
  });
});

describe('aggregated events over the API', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
    await t.http('POST', pods, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ev' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] } } });
    await waitForApiPod(t.agent, 'default', 'ev', isRunning);
  });
  afterAll(async () => t?.stop());

  it('serves only core/v1 events', async () => {
    const groups = (await t.http('GET', '/apis')).json.groups.map((g: any) => g.name);
    expect(groups).not.toContain('events.k8s.io');
    expect((await t.http('GET', '/apis/events.k8s.io/v1/namespaces/default/events')).status).toBe(404);
  });

  it('a repeat is one Event with count and timestamps, and watchers see it MODIFIED', async () => {
    const sel = 'fieldSelector=involvedObject.name%3Dev%2Creason%3DBackOff';
    const rv = (await t.http('GET', `${events}?${sel}`)).json.metadata.resourceVersion;
    const watching = collectWatch(t, `${events}?watch=True&resourceVersion=${rv}&${sel}`, (evs) => evs.length >= 3);
    const pod = t.agent.kubelet.getPod('default', 'ev')!;
    const first = new Date(Date.now() - 120_000);
    for (const at of [first, new Date(Date.now() - 60_000), new Date()]) {
      t.agent.kubelet.events.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app', 'spec.containers{app}', at);
    }
    const seen = await watching;
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED']);
    const names = new Set(seen.map((e) => e.object.metadata.name));
    expect(names.size).toBe(1);
    const last = seen[2].object;
    expect(last).toMatchObject({ kind: 'Event', apiVersion: 'v1', count: 3, reason: 'BackOff', firstTimestamp: seen[0].object.firstTimestamp });
    expect(Date.parse(last.lastTimestamp)).toBeGreaterThan(Date.parse(last.firstTimestamp));
    const rvs = seen.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(new Set(rvs).size).toBe(3);

    const list = (await t.http('GET', `${events}?${sel}`)).json.items;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ count: 3, firstTimestamp: last.firstTimestamp, lastTimestamp: last.lastTimestamp });
    if (last.series) expect(list[0].series).toEqual(last.series);
    const one = (await t.http('GET', `${events}/${list[0].metadata.name}`)).json;
    expect(one).toEqual(list[0]);
  });
});
