/**
 * The kubelet starts a pod's app containers one at a time, in spec order: SyncPod's step 7 loops over
 * ContainersToStart and calls startContainer for each, and startContainer pulls the image, creates
 * and starts the container and runs its postStart hook before it returns (kuberuntime_manager.go,
 * kuberuntime_container.go). A slow postStart therefore holds back the next container, and a
 * container that fails to start (image, config) does not: the loop goes on with the next one.
 *
 * A pod's app containers take turns here for that part of their start, first come first served:
 * they ask in spec order, so they start in spec order. A restart takes its turn too (the kubelet
 * restarts containers in the same loop, one pod sync at a time), so a long postStart also delays
 * the restart of a sibling. Back-off waits are not part of a turn (doBackOff returns at once).
 */
export class StartQueue {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  /**
   * Runs `start` once every turn asked for before this one is over. Undefined, and `start` not
   * run, when `signal` aborts first (the pod stops: nothing more is started).
   */
  async run<T>(signal: AbortSignal, start: () => Promise<T>): Promise<T | undefined> {
    if (!(await this.turn(signal))) return undefined;
    try {
      return await start();
    } finally {
      this.release();
    }
  }

  private turn(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const go = () => {
        signal.removeEventListener('abort', abort);
        resolve(true);
      };
      const abort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      };
      this.waiting.push(go);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** The next in line takes the turn over (busy stays set), or the queue is idle. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}
