import { request } from 'node:http';
import { Agent } from '../src/agent/agent.js';
import type { Pod } from '../src/api/types.js';
import type { AgentConfig } from '../src/kubelet/config.js';
import type { PodWorker } from '../src/kubelet/podWorker.js';
import type { LogLine } from '../src/runtime/logs/criFormat.js';
import { median, nowNs } from './util.js';

/** An app that honours SIGTERM (a bare sleep is PID 1 of its namespace, where SIGTERM does nothing). */
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

/**
 * Many pods at once through the API, against an agent in this process (its API on a Unix socket):
 *   - one pod alone, created -> its container's first instruction (/usr/bin/date printing its clock
 *     in ns, compared with the time of the POST) and created -> Running (median of `singleRuns`);
 *   - `pods` pods POSTed at once -> every one Running;
 *   - all of them DELETEd at once (sleep dies on SIGTERM) -> every one gone from the API.
 * The goals (issue 16): all Running within 10x the single pod's create -> Running; deleting within 1 s.
 */
export async function manyPods(config: AgentConfig, pods: number, singleRuns = 5): Promise<Record<string, number>> {
  const agent = await Agent.start(config);
  const kubelet = agent.kubelet;
  const api = (method: string, path: string, body?: unknown) =>
    new Promise<number>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (payload) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
      const req = request({ socketPath: config.socketPath, method, path, headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode! < 300 ? resolve(res.statusCode!) : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(payload);
    });
  const podsPath = '/api/v1/namespaces/default/pods';
  const manifest = (name: string, command: string[]): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: 'busybox', command }] },
  });
  const running = (p: Pod | undefined) => p?.status?.phase === 'Running';
  /** Resolves when `cond` holds, checked on every pod change. */
  const until = (cond: () => boolean, what: string, timeoutMs = 120_000) =>
    new Promise<void>((resolve, reject) => {
      if (cond()) return resolve();
      const timer = setTimeout(() => {
        kubelet.off('pod', check);
        const phases = kubelet.listPods().map((p) => `${p.metadata!.name}:${p.status?.phase}`);
        reject(new Error(`timed out waiting for ${what}: ${phases.join(' ')}`));
      }, timeoutMs);
      const check = () => {
        if (!cond()) return;
        clearTimeout(timer);
        kubelet.off('pod', check);
        resolve();
      };
      kubelet.on('pod', check);
    });
  const gone = (names: string[]) => () => names.every((n) => kubelet.getPod('default', n) === undefined);

  try {
    const firstInstruction: number[] = [];
    const createToRunning: number[] = [];
    for (let i = 0; i < singleRuns; i++) {
      const name = `clock-${i}`;
      let printedNs: bigint | undefined;
      const onLog = (w: PodWorker, _r: unknown, line: Omit<LogLine, 'timestamp'>) => {
        if (w.pod.metadata?.name === name && /^\d+$/.test(line.content)) printedNs = BigInt(line.content);
      };
      kubelet.on('log', onLog);
      const t0 = nowNs();
      await api('POST', podsPath, manifest(name, ['/usr/bin/date', '+%s%N']));
      await until(() => printedNs !== undefined || kubelet.getPod('default', name)?.status?.phase === 'Failed', `${name}'s clock line`);
      kubelet.off('log', onLog);
      if (printedNs === undefined) throw new Error(`${name} printed no clock line`);
      firstInstruction.push(Number(printedNs - t0) / 1e6);
      await api('DELETE', `${podsPath}/${name}`);
      await until(gone([name]), `${name} deleted`);
    }
    for (let i = 0; i < singleRuns; i++) {
      const name = `single-${i}`;
      const t0 = performance.now();
      await api('POST', podsPath, manifest(name, SLEEPER));
      await until(() => running(kubelet.getPod('default', name)), `${name} Running`);
      createToRunning.push(performance.now() - t0);
      await api('DELETE', `${podsPath}/${name}`);
      await until(gone([name]), `${name} deleted`);
    }

    const names = Array.from({ length: pods }, (_, i) => `many-${i}`);
    const t1 = performance.now();
    await Promise.all(names.map((n) => api('POST', podsPath, manifest(n, SLEEPER))));
    const posted = performance.now() - t1;
    await until(() => names.every((n) => running(kubelet.getPod('default', n))), `${pods} pods Running`);
    const allRunning = performance.now() - t1;

    const t2 = performance.now();
    await Promise.all(names.map((n) => api('DELETE', `${podsPath}/${n}`)));
    await until(gone(names), `${pods} pods deleted`);
    const allDeleted = performance.now() - t2;

    const single = median(createToRunning);
    return {
      pods,
      singleCreateToFirstInstructionMsMedian: Math.round(median(firstInstruction)),
      singleCreateToRunningMsMedian: Math.round(single),
      manyPostedMs: Math.round(posted),
      manyAllRunningMs: Math.round(allRunning),
      manyAllRunningOverSingle: Math.round((allRunning / single) * 10) / 10,
      manyAllDeletedMs: Math.round(allDeleted),
    };
  } finally {
    await agent.stop({ keepPods: false, gracePeriodSeconds: 0 });
    // The bench's bridge and firewall tables: an agent's stop keeps them for its next start.
    await kubelet.network.destroy();
  }
}
