// The drain-pdb lab is a kubectl walkthrough (a drain needs the agent's API, which `scenario run`
// does not serve): its scripted check, scenarios/drain-pdb/check.sh, run with stock kubectl 1.32
// against a real agent, must report every step as expected.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from './helpers/agent.js';
import { KUBECTL_132, writeKubeconfig } from './helpers/kubectl.js';

const script = join(import.meta.dirname, '..', 'scenarios', 'drain-pdb', 'check.sh');

describe.skipIf(!existsSync(KUBECTL_132))('lab drain-pdb (kubectl walkthrough)', () => {
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    t = await startTestAgent({ podNetwork: false });
    dir = mkdtempSync(join(tmpdir(), 'tinylet-lab-drain-'));
    kubeconfig = await writeKubeconfig(t, dir);
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('check.sh: the budget blocks the drain, without it the drain completes', async () => {
    const r = await execa('sh', [script], { reject: false, timeout: 150_000, env: { HOME: dir, KUBECONFIG: kubeconfig, KUBECTL: KUBECTL_132 } });
    const out = r.stdout + r.stderr;
    expect(out).not.toMatch(/^FAIL/m);
    expect(out).toContain('ok   two web pods are left (minAvailable 2)');
    expect(out).toContain('ok   the second drain succeeds');
    expect(out).toContain('drain-pdb: as expected');
    expect(r.exitCode, out).toBe(0);
    // The script cleaned up after itself: no pod left, the node schedulable again.
    expect(t.agent.kubelet.getPod('default', 'web-a')).toBeUndefined();
    expect((await t.http('GET', `/api/v1/nodes/${t.config.nodeName}`)).json.spec.unschedulable).not.toBe(true);
  }, 180_000);
});
