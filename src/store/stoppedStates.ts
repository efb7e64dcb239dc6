// A graceful agent stop (SIGTERM, Agent.stop({keepPods: true})) stops every container on the
// Kubernetes clock, but the store is frozen first: the pods must be stored as they ran, to be
// recreated at the next start, not as the deletions the shutdown makes of them. So how each running
// instance really ended (exit code, signal, reason, finishedAt) is added afterwards to the frozen
// snapshot, as `containers[name].stopped`, and the next agent shows it as the container's lastState
// instead of the Unknown/255 of an instance lost with a killed agent.
import type { ContainerStatus } from '../api/types.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import type { PodWorker } from '../kubelet/podWorker.js';
import { writeFileAtomic } from './atomicWrite.js';
import type { PodStore, StoredPod } from './podStore.js';
import { snapshotPod } from './snapshot.js';

/**
 * Call before PodStore.freeze: snapshots every running pod as it is stored; the function returned,
 * called once the kubelet's shutdown is over, writes the snapshots with the instances' real ends.
 */
export function prepareStoppedStates(kubelet: Kubelet, store: PodStore): () => void {
  const frozen: { worker: PodWorker; stored: StoredPod }[] = [];
  for (const pod of kubelet.listPods()) {
    const worker = kubelet.getWorker(pod.metadata!.namespace!, pod.metadata!.name!);
    if (worker) frozen.push({ worker, stored: snapshotPod(kubelet, worker.pod) });
  }
  return () => {
    for (const { worker, stored } of frozen) {
      const st = stored.pod.status;
      const statuses: ContainerStatus[] = [...(st?.initContainerStatuses ?? []), ...(st?.containerStatuses ?? [])];
      let changed = false;
      for (const r of worker.records) {
        const was = statuses.find((s) => s.name === r.name);
        const end = r.state.terminated;
        // Only the instance that ran at the freeze: same container ID (no restarts during a shutdown).
        if (!was?.state?.running || !end || (was.containerID && end.containerID && was.containerID !== end.containerID)) continue;
        stored.containers[r.name] = { ...(stored.containers[r.name] ?? { instances: r.instances, backoff: r.backoff.snapshot() }), stopped: end };
        changed = true;
      }
      const m = stored.pod.metadata!;
      if (!changed) continue;
      try {
        writeFileAtomic(store.file(m.namespace!, m.name!), JSON.stringify(stored));
      } catch (err) {
        // The pod still comes back; its lost instance then shows Unknown/255, as after a crash.
        console.error(`tinylet agent: could not record the stopped containers of ${m.namespace}/${m.name}: ${(err as Error).message}`);
      }
    }
  };
}
