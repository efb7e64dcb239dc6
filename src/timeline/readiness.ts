import type { Pod } from '../api/types.js';

/** A container's ready flag changing, as the pod's status showed it. */
export interface ReadyChange {
  uid: string;
  container: string;
  ready: boolean;
  /** Epoch milliseconds when the status update was seen. */
  at: number;
}

/**
 * Ready transitions have no event: this watches the pod updates a run sees and keeps each change
 * of a container's `ready`, bounded like the record (a flapping probe must not grow it forever).
 */
export class ReadinessLog {
  readonly changes: ReadyChange[] = [];
  private last = new Map<string, boolean>();

  constructor(private readonly max = 5000) {}

  observe(pod: Pod, at = Date.now()): void {
    const uid = pod.metadata?.uid ?? '';
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const key = `${uid}/${s.name}`;
      const ready = s.ready === true;
      if ((this.last.get(key) ?? false) === ready) continue;
      this.last.set(key, ready);
      this.changes.push({ uid, container: s.name, ready, at });
      if (this.changes.length > this.max) this.changes.shift();
    }
  }
}
