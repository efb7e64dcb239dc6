import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, podYaml, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { isolatedConfig } from './helpers/testKubelet.js';

describe('static pods from staticPodPath', () => {
  let t: TestAgent;
  const dir = join(isolatedConfig().stateDir, 'manifests');
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'early.yaml'), podYaml('early', 'sleep 3600'));
    t = await startTestAgent({ staticPodPath: dir });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('creates, replaces and deletes pods as files appear, change and go', async () => {
    const node = t.config.nodeName;
    const early = await waitForApiPod(t.agent, 'default', `early-${node}`, isRunning);
    expect(early!.metadata!.annotations).toMatchObject({ 'kubernetes.io/config.source': 'file' });

    writeFileSync(join(dir, 'late.yaml'), podYaml('late', 'sleep 3600'));
    const late = await waitForApiPod(t.agent, 'default', `late-${node}`, isRunning);
    const uid = late!.metadata!.uid;

    writeFileSync(join(dir, 'late.yaml'), podYaml('late', 'sleep 3601'));
    const replaced = await waitForApiPod(t.agent, 'default', `late-${node}`, (p) => !!p && p.metadata!.uid !== uid && isRunning(p), 30_000);
    expect(replaced!.spec!.containers[0]!.command).toEqual(['sh', '-c', 'sleep 3601']);

    // Deleted through the API, a static pod comes back: its file still asks for it.
    const earlyUid = early!.metadata!.uid;
    t.agent.kubelet.deletePod('default', `early-${node}`, { gracePeriodSeconds: 0, force: true });
    const back = await waitForApiPod(t.agent, 'default', `early-${node}`, (p) => !!p && isRunning(p), 30_000);
    expect(back!.metadata!.uid).toBe(earlyUid);

    rmSync(join(dir, 'late.yaml'));
    await waitForApiPod(t.agent, 'default', `late-${node}`, (p) => p === undefined, 30_000);
    expect(t.agent.kubelet.getPod('default', `early-${node}`)).toBeDefined();
  });
});
