// Keeps the store in step with the kubelet. Two paths to disk:
//  - the kubelet's own changes (status, restarts: many a second) are coalesced: every 'pod' event
//    marks the pod pending, one write per pod per tick (PodStore.save/flush);
//  - a change the API acknowledges is written by the handler before it answers (commit): the pod's
//    pending write is done now, fsynced and renamed into place, or its file removed, so a SIGKILL
//    just after the reply cannot lose it.
import type { Pod } from '../api/types.js';
import type { Kubelet, WatchEventType } from '../kubelet/kubelet.js';
import type { EventStore } from './eventStore.js';
import type { PodStore } from './podStore.js';
import { snapshotPod } from './snapshot.js';

export interface Persistence {
  /**
   * Durable before acknowledged: the pod's file matches the kubelet when this returns (written and
   * fsynced if the pod exists, removed if it is gone). Throws when the disk refuses; an error with
   * code ESHUTDOWN when the store no longer records (agent stopping).
   */
  commit(namespace: string, name: string): void;
  stop(): void;
}

export function persistChanges(kubelet: Kubelet, pods: PodStore, events: EventStore): Persistence {
  const snapshot = (namespace: string, name: string) => () => {
    const current = kubelet.getPod(namespace, name);
    return current ? snapshotPod(kubelet, current) : undefined;
  };
  // Runs inside kubelet.emit, i.e. inside whatever changed the pod: a failure must not travel back there.
  const onPod = (type: WatchEventType, pod: Pod) => {
    const { namespace, name } = pod.metadata as { namespace: string; name: string };
    try {
      if (type === 'DELETED') pods.remove(namespace, name);
      else pods.save(namespace, name, snapshot(namespace, name));
    } catch (err) {
      // The API's commit for this pod tries again (and fails its request); recovery drops a file left
      // for a pod that was deleting.
      console.error(`tinylet: could not update the stored pod ${namespace}/${name}: ${(err as Error)?.message ?? String(err)}`);
    }
  };
  const onEvent = () => events.changed();
  kubelet.on('pod', onPod);
  kubelet.events.on('event', onEvent);
  return {
    commit(namespace, name) {
      // Throws ESHUTDOWN on a frozen store, before anything else: nothing may be acknowledged then.
      pods.flush({ namespace, name });
      if (!kubelet.getPod(namespace, name)) pods.remove(namespace, name);
    },
    stop() {
      kubelet.off('pod', onPod);
      kubelet.events.off('event', onEvent);
    },
  };
}
