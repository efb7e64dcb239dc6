// Ephemeral containers through the API, against a real agent: pods/ephemeralcontainers takes a
// strategic merge patch (what kubectl debug sends) and a PUT, with the API server's validation; the
// kubelet starts the new container in the running pod's sandbox, in its target's PID namespace
// (ps lists the target's processes, /proc/1/root is the target's root), never restarts it, reports
// it in status.ephemeralContainerStatuses and stops it with the pod.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { rmSync } from 'node:fs';
import { Agent } from '../src/agent/agent.js';
import { removeCgroupParent } from '../src/runtime/cgroups.js';
import { startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { processesMatching } from './helpers/leaks.js';

const SMP = 'application/strategic-merge-patch+json';
const base = '/api/v1/namespaces/default/pods';

/** A pod whose app container leaves a file only its own root has, then sleeps. */
const appPod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 2,
    containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', `echo only-in-app-${name} > /tmp/app-marker; exec sleep 3600`] }],
    ...extra,
  },
});

const debugger_ = (name: string, command: string[], extra: Record<string, unknown> = {}) => ({ name, image: 'busybox', command, ...extra });

const isRunning = (p: Pod | undefined) => p?.status?.containerStatuses?.[0]?.state?.running !== undefined;
const ephemeralStatus = (p: Pod | undefined, name: string) => p?.status?.ephemeralContainerStatuses?.find((s) => s.name === name);

describe('pods/ephemeralcontainers', () => {
  let t: TestAgent;
  const patchEphemeral = (pod: string, containers: unknown[]) =>
    t.http('PATCH', `${base}/${pod}/ephemeralcontainers`, { body: { spec: { ephemeralContainers: containers } }, contentType: SMP });
  const startPod = async (name: string, extra?: Record<string, unknown>) => {
    const r = await t.http('POST', base, { body: appPod(name, extra) });
    expect(r.status, r.text).toBe(201);
    await waitForApiPod(t.agent, 'default', name, isRunning, 30_000);
    // The marker is written by the app's shell before it execs sleep.
    await new Promise((r) => setTimeout(r, 300));
  };

  beforeAll(async () => {
    t = await startTestAgent({ podNetwork: false });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is listed in discovery with get, patch and update', async () => {
    const list = (await t.http('GET', '/api/v1')).json.resources;
    expect(list.find((r: any) => r.name === 'pods/ephemeralcontainers')).toMatchObject({ kind: 'Pod', namespaced: true, verbs: ['get', 'patch', 'update'] });
  });

  it('runs a debugger in the target container\'s PID namespace, once, and reports it', async () => {
    await startPod('target');
    const r = await patchEphemeral('target', [debugger_('debugger', ['sh', '-c', 'ps; cat /proc/1/root/tmp/app-marker'], { targetContainerName: 'app' })]);
    expect(r.status, r.text).toBe(200);
    // The API server's defaults, as for containers.
    expect(r.json.spec.ephemeralContainers[0]).toMatchObject({ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'Always', targetContainerName: 'app' });
    const done = await waitForApiPod(t.agent, 'default', 'target', (p) => ephemeralStatus(p, 'debugger')?.state?.terminated !== undefined, 30_000);
    const st = ephemeralStatus(done, 'debugger')!;
    expect(st.state!.terminated!.exitCode).toBe(0);
    expect(st).toMatchObject({ ready: false, restartCount: 0, image: expect.stringContaining('busybox') });
    expect(st.containerID).toMatch(/^tinylet:\/\//);
    expect(st).not.toHaveProperty('started');
    const logs = await t.http('GET', `${base}/target/log?container=debugger`);
    expect(logs.status).toBe(200);
    // ps in the target's namespace: its PID 1 is the app's sleep; its root has the app's file.
    expect(logs.text).toMatch(/^\s*1 .*sleep 3600$/m);
    expect(logs.text).toContain('only-in-app-target');
    // Never restarted (the pod's restartPolicy is Always), and the pod stays Running and Ready.
    await new Promise((r) => setTimeout(r, 2500));
    const later = t.agent.kubelet.getPod('default', 'target')!;
    expect(ephemeralStatus(later, 'debugger')!.restartCount).toBe(0);
    expect(ephemeralStatus(later, 'debugger')!.state!.terminated).toBeDefined();
    expect(later.status!.phase).toBe('Running');
    expect(later.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    const events = (await t.http('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dtarget')).json.items;
    const mine = events.filter((e: any) => e.involvedObject.fieldPath === 'spec.ephemeralContainers{debugger}').map((e: any) => e.reason);
    expect(mine).toEqual(expect.arrayContaining(['Created', 'Started']));
    // The subresource's GET is the pod.
    const got = await t.http('GET', `${base}/target/ephemeralcontainers`);
    expect(got.json.kind).toBe('Pod');
    expect(got.json.spec.ephemeralContainers.map((c: any) => c.name)).toEqual(['debugger']);
  });

  it('without a target gets its own PID namespace', async () => {
    await startPod('own-ns');
    // A JSON patch this time (the subresource takes every patch type).
    const patch = [{ op: 'add', path: '/spec/ephemeralContainers', value: [debugger_('dbg', ['sh', '-c', 'ps -o pid,args'])] }];
    const r = await t.http('PATCH', `${base}/own-ns/ephemeralcontainers`, { body: patch, contentType: 'application/json-patch+json' });
    expect(r.status, r.text).toBe(200);
    await waitForApiPod(t.agent, 'default', 'own-ns', (p) => ephemeralStatus(p, 'dbg')?.state?.terminated !== undefined, 30_000);
    const logs = (await t.http('GET', `${base}/own-ns/log?container=dbg`)).text;
    expect(logs).not.toContain('sleep 3600');
    expect(logs).toMatch(/^\s*1 .*sh -c ps -o pid,args$/m);
  });

  it('refuses what the API server refuses, naming the field', async () => {
    await startPod('refuse');
    const cases: [unknown[], string][] = [
      [[debugger_('app', ['true'])], 'spec.ephemeralContainers[0].name'],
      [[debugger_('d1', ['true'], { targetContainerName: 'nope' })], 'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"'],
      [[debugger_('d2', ['true'], { ports: [{ containerPort: 80 }] })], 'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container'],
      [[debugger_('d3', ['true'], { readinessProbe: { exec: { command: ['true'] } } })], 'spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container'],
      [[debugger_('d4', ['true'], { lifecycle: { preStop: { exec: { command: ['true'] } } } })], 'spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container'],
      [[debugger_('d5', ['true'], { resources: { limits: { cpu: '1' } } })], 'spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container'],
      [[debugger_('d6', ['true'], { restartPolicy: 'Always' })], 'spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an Ephemeral Container'],
      [[{ name: 'd7' }], 'spec.ephemeralContainers[0].image: Required value'],
    ];
    for (const [containers, message] of cases) {
      const r = await patchEphemeral('refuse', containers);
      expect(r.status, JSON.stringify(containers)).toBe(422);
      expect(r.json.message).toContain(message);
    }
    // One that is there may be neither changed nor removed (a PUT of the whole list).
    expect((await patchEphemeral('refuse', [debugger_('keep', ['sleep', '60'])])).status).toBe(200);
    const pod = (await t.http('GET', `${base}/refuse/ephemeralcontainers`)).json;
    // Its status moves on as "keep" starts: no resourceVersion precondition (that would be a 409).
    delete pod.metadata.resourceVersion;
    const changed = structuredClone(pod);
    changed.spec.ephemeralContainers[0].command = ['sleep', '61'];
    const c = await t.http('PUT', `${base}/refuse/ephemeralcontainers`, { body: changed });
    expect(c.status).toBe(422);
    expect(c.json.message).toContain('spec.ephemeralContainers: Forbidden: existing ephemeral containers "keep" may not be changed');
    const removed = structuredClone(pod);
    removed.spec.ephemeralContainers = [];
    const d = await t.http('PUT', `${base}/refuse/ephemeralcontainers`, { body: removed });
    expect(d.status).toBe(422);
    expect(d.json.message).toContain('existing ephemeral containers "keep" may not be removed');
    // The pod itself cannot change them: only the subresource can.
    const viaPod = await t.http('PATCH', `${base}/refuse`, { body: { spec: { ephemeralContainers: [debugger_('sneak', ['true'])] } }, contentType: SMP });
    expect(viaPod.status).toBe(422);
    expect(viaPod.json.message).toContain('pod updates may not change fields other than');
    // Nor can a create set them.
    const created = await t.http('POST', base, { body: { ...appPod('born-with'), spec: { ...appPod('born-with').spec, ephemeralContainers: [debugger_('x', ['true'])] } } });
    expect(created.status).toBe(422);
    expect(created.json.message).toContain('spec.ephemeralContainers');
    // A missing pod is a 404 naming it.
    const missing = await patchEphemeral('no-such-pod', [debugger_('x', ['true'])]);
    expect(missing.status).toBe(404);
    expect(missing.json.details?.name).toBe('no-such-pod');
  });

  it('a pod with a running ephemeral container is deleted cleanly, its container stopped', async () => {
    await startPod('deleted');
    expect((await patchEphemeral('deleted', [debugger_('sleeper', ['sleep', '31337'], { targetContainerName: 'app' })])).status).toBe(200);
    await waitForApiPod(t.agent, 'default', 'deleted', (p) => ephemeralStatus(p, 'sleeper')?.state?.running !== undefined, 30_000);
    expect(await processesMatching('sleep 31337')).toHaveLength(1);
    const started = Date.now();
    expect((await t.http('DELETE', `${base}/deleted`)).status).toBe(200);
    await waitForApiPod(t.agent, 'default', 'deleted', (p) => p === undefined, 30_000);
    // sleep ignores nothing: SIGTERM ends it well within the 2 s grace.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await processesMatching('sleep 31337')).toEqual([]);
  });
});

describe('ephemeral containers across an agent restart', () => {
  it('keep their status and are not started again', async () => {
    const t = await startTestAgent({ podNetwork: false });
    let second: Agent | undefined;
    try {
      expect((await t.http('POST', base, { body: appPod('kept') })).status).toBe(201);
      await waitForApiPod(t.agent, 'default', 'kept', isRunning, 30_000);
      const r = await t.http('PATCH', `${base}/kept/ephemeralcontainers`, { body: { spec: { ephemeralContainers: [debugger_('once', ['sh', '-c', 'echo ran-once'])] } }, contentType: SMP });
      expect(r.status, r.text).toBe(200);
      await waitForApiPod(t.agent, 'default', 'kept', (p) => ephemeralStatus(p, 'once')?.state?.terminated !== undefined, 30_000);
      await t.agent.stop({ keepPods: true, gracePeriodSeconds: 0 });
      second = await Agent.start(t.config);
      // The app container runs again in the new sandbox; the ephemeral one does not.
      const back = await waitForApiPod(second, 'default', 'kept', (p) => isRunning(p) && (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000);
      expect(back!.spec!.ephemeralContainers!.map((c) => c.name)).toEqual(['once']);
      await new Promise((r) => setTimeout(r, 1500));
      const st = ephemeralStatus(second.kubelet.getPod('default', 'kept'), 'once')!;
      expect(st).toMatchObject({ restartCount: 0, ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
      const worker = second.kubelet.getWorker('default', 'kept')!;
      expect(worker.records.find((x) => x.name === 'once')!.process).toBeUndefined();
    } finally {
      await second?.stop({ keepPods: false, gracePeriodSeconds: 0 });
      await second?.kubelet.network.destroy();
      if (!second) await t.agent.kubelet.network.destroy();
      rmSync(t.config.stateDir, { recursive: true, force: true });
      await removeCgroupParent(t.config.cgroupParent);
    }
  });
});
