import { Kubelet } from '../src/kubelet/kubelet.js';
import { defaultPod } from '../src/api/defaults.js';
import type { AgentConfig } from '../src/kubelet/config.js';
import { median } from './util.js';

/**
 * How far the SIGKILL lands from its deadline: sleep as PID 1 ignores SIGTERM, grace 2 s, and the
 * gap between the stop signal and SIGKILL is compared with 2000 ms.
 */
export async function signalTiming(config: AgentConfig, pods: number): Promise<Record<string, number>> {
  const kubelet = new Kubelet(config);
  const errors: number[] = [];
  try {
    const workers = Array.from({ length: pods }, (_, i) => {
      const p = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `sig-${i}` }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 's', image: 'busybox', command: ['sleep', '3600'] }] } });
      kubelet.createPod(p);
      return kubelet.getWorker('default', p.metadata!.name!)!;
    });
    await new Promise((r) => setTimeout(r, 1000));
    for (const w of workers) kubelet.deletePod('default', w.pod.metadata!.name!);
    await kubelet.drained();
    for (const w of workers) {
      const ev = kubelet.events.forPod('default', w.pod.metadata!.name!);
      const at = (reason: string) => new Date(ev.find((e) => e.reason === reason)!.eventTime!).getTime();
      errors.push(at('ExceededGracePeriod') - at('Signal') - 2000);
    }
  } finally {
    await kubelet.network.destroy();
  }
  return { pods, sigkillDeadlineErrorMsMedian: median(errors), sigkillDeadlineErrorMsMax: Math.max(...errors) };
}
