import type { Pod } from '../src/api/types.js';
import { startBenchAgent } from './benchAgent.js';
import { cpuTimesMs } from './procStats.js';

/**
 * Goal 4: `pods` pods, each with an exec liveness probe and an HTTP readiness probe every second
 * (busybox httpd serving the readiness path), on an agent in its own process. Over a window of
 * steady state (after `warmupMs`: the first probes also pay for JIT compilation), from
 * /proc/<agent>/stat:
 *  - the agent's own CPU (utime+stime of the Node process and of its spawner, the small process
 *    that forks for it): what the node pays;
 *  - the CPU of the probe processes (cutime+cstime of the agent and the spawner, which reap them:
 *    the pause binary's exec mode and the probe command), which Kubernetes counts as the pod's,
 *    since the command runs in the container's cgroup. All in % of one core.
 */
export async function probeCost(dir: string, slot: number, pods: number, warmupMs: number, windowMs: number): Promise<Record<string, number>> {
  const agent = await startBenchAgent(dir, slot);
  try {
    const exec = { exec: { command: ['cat', '/www/index.html'] }, periodSeconds: 1 };
    const http = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 };
    for (let i = 0; i < pods; i++) {
      const pod: Pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `probed-${i}` },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'web', image: 'busybox', command: ['sh', '-c', 'mkdir /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www'], livenessProbe: exec, readinessProbe: http }],
        },
      };
      await agent.createPod(pod);
    }
    // A loaded 2-core machine starts 100 pods slowly: the wait is generous, the window is what counts.
    await agent.waitPods((list) => list.length === pods && list.every((p) => p.status?.containerStatuses?.[0]?.ready), 600_000, 'probed pods ready', 500);
    await new Promise((r) => setTimeout(r, warmupMs));
    const spawner = agent.spawnerPid();
    if (!spawner) throw new Error('the agent has no spawner process');
    const before = [cpuTimesMs(agent.pid), cpuTimesMs(spawner)];
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const after = [cpuTimesMs(agent.pid), cpuTimesMs(spawner)];
    const elapsed = performance.now() - t0;
    const delta = (i: number, k: 'ownMs' | 'reapedChildrenMs') => after[i][k] - before[i][k];
    const list = await agent.pods();
    const restarts = list.reduce((n, p) => n + (p.status?.containerStatuses?.[0]?.restartCount ?? 0), 0);
    const notReady = list.filter((p) => !p.status?.containerStatuses?.[0]?.ready).length;
    const pct = (ms: number) => Math.round((ms / elapsed) * 1000) / 10;
    return {
      pods,
      probesPerSecond: pods * 2,
      windowS: Math.round(elapsed / 100) / 10,
      agentCpuPercentOfOneCore: pct(delta(0, 'ownMs') + delta(1, 'ownMs')),
      agentNodeCpuPercentOfOneCore: pct(delta(0, 'ownMs')),
      spawnerCpuPercentOfOneCore: pct(delta(1, 'ownMs')),
      probeProcessesCpuPercentOfOneCore: pct(delta(0, 'reapedChildrenMs') + delta(1, 'reapedChildrenMs')),
      restarts,
      notReady,
    };
  } finally {
    await agent.stop();
  }
}
