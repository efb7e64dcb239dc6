import { describe, expect, it } from 'vitest';
import { agentWithFiles, cli, ensureNamespace, isRunning, waitForApiPod } from './helpers/agent.js';

const ctx = agentWithFiles('tinylet-timeline-agent-');

const manifest = `apiVersion: v1
kind: Pod
metadata: {name: tla}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sleep, "3600"]
    readinessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
`;

describe('tinylet timeline POD against an agent', () => {
  it('draws a running pod, then the same pod after its delete from the events left', async () => {
    const { t } = ctx;
    await ensureNamespace(t, 'default');
    const applied = await cli(t, ['apply', '-f', ctx.file('tla.yaml', manifest)]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    await waitForApiPod(t.agent, 'default', 'tla', isRunning, 30_000);
    // Let the readiness probe fail a few times: one event, repeated (count, series).
    await new Promise((r) => setTimeout(r, 3500));

    const running = await cli(t, ['timeline', 'tla', '-o', 'svg']);
    expect(running.exitCode, running.stderr).toBe(0);
    expect(running.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(running.stdout).toContain('data-lane="app"');
    expect(running.stdout).toContain('iv running');
    // First and latest occurrence of the repeated probe failure: two ticks.
    expect(running.stdout.match(/class="mark probe"/g)?.length ?? 0).toBeGreaterThanOrEqual(2);

    const deleted = await cli(t, ['delete', 'pod', 'tla']);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    await waitForApiPod(t.agent, 'default', 'tla', (p) => p === undefined, 30_000);
    const after = await cli(t, ['timeline', 'pod/tla']);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stdout).toContain('<!DOCTYPE html>');
    for (const s of ['mark delete', 'mark signal', 'mark sigkill', 'mark exit', '<td>ExceededGracePeriod</td>']) expect(after.stdout).toContain(s);
  }, 90_000);

  it('names the problem: an unknown pod, an unknown format', async () => {
    const none = await cli(ctx.t, ['timeline', 'nope']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('pods "nope" not found');
    const bad = await cli(ctx.t, ['timeline', 'nope', '-o', 'png']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('-o png');
  });
});
