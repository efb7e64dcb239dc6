import type { Pod } from '../api/types.js';
import type { Kubelet, WatchEventType } from '../kubelet/kubelet.js';
import type { EventStore } from './eventStore.js';
import type { PodStore } from './podStore.js';
import { snapshotPod } from './snapshot.js';

/** Keeps the store in step with the kubelet: every pod change rewrites its file, a deletion removes it. */
export function persistChanges(kubelet: Kubelet, pods: PodStore, events: EventStore): () => void {
  const onPod = (type: WatchEventType, pod: Pod) => {
    const { namespace, name } = pod.metadata as { namespace: string; name: string };
    if (type === 'DELETED') {
      pods.remove(namespace, name);
      return;
    }
    pods.save(namespace, name, () => {
      const current = kubelet.getPod(namespace, name);
      return current ? snapshotPod(kubelet, current) : undefined;
    });
  };
  const onEvent = () => events.changed();
  kubelet.on('pod', onPod);
  kubelet.events.on('event', onEvent);
  return () => {
    kubelet.off('pod', onPod);
    kubelet.events.off('event', onEvent);
  };
}
