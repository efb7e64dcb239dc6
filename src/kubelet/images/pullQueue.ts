/**
 * The kubelet's serialized image puller (serializeImagePulls, on by default): one pull at a time, so
 * the "including waiting" part of the Pulled event is the time spent behind other pulls.
 */
export class PullQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly serialize: boolean) {}

  run<T>(pull: () => Promise<T>): Promise<T> {
    if (!this.serialize) return pull();
    const result = this.tail.then(pull, pull);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
