import { defaultPod } from '../src/api/defaults.js';
import type { AgentConfig } from '../src/kubelet/config.js';
import { Kubelet } from '../src/kubelet/kubelet.js';

/**
 * Agent CPU with `pods` pods, each serving HTTP (busybox httpd) with an HTTP liveness and an HTTP
 * readiness probe every second: the agent's own user+system time over a 20 s window of steady state
 * (after 10 s of warm-up), in % of a core.
 */
export async function probeCost(config: AgentConfig, pods: number, windowMs = 20_000): Promise<Record<string, number>> {
  const kubelet = new Kubelet({ ...config, podCIDR: config.podCIDR.replace(/\/24$/, '/23') });
  const probe = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 };
  try {
    for (let i = 0; i < pods; i++) {
      kubelet.createPod(
        defaultPod({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `probed-${i}` },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'web', image: 'busybox', command: ['sh', '-c', 'mkdir /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www'], livenessProbe: probe, readinessProbe: probe }],
          },
        }),
      );
    }
    const deadline = Date.now() + 120_000;
    while (kubelet.listPods().some((p) => !p.status?.containerStatuses?.[0].ready)) {
      if (Date.now() > deadline) throw new Error('pods did not all become ready');
      await new Promise((r) => setTimeout(r, 500));
    }
    // Steady state: the first seconds of probing also pay for JIT compilation of the probe path.
    await new Promise((r) => setTimeout(r, 10_000));
    const before = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const used = process.cpuUsage(before);
    const elapsed = performance.now() - t0;
    const restarts = kubelet.listPods().reduce((n, p) => n + (p.status?.containerStatuses?.[0].restartCount ?? 0), 0);
    return { pods, probesPerSecond: pods * 2, agentCpuPercentOfOneCore: Math.round(((used.user + used.system) / 1000 / elapsed) * 1000) / 10, restarts };
  } finally {
    await kubelet.shutdown({ gracePeriodSeconds: 0 });
    await kubelet.network.destroy();
  }
}
