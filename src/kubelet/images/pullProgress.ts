import type { PullProgress } from '../../runtime/images/registry/pullImage.js';

const EVERY_MS = 2000;

/**
 * Turns a pull's progress into an event at most every 2 s (a pull quicker than that reports
 * nothing): how many bytes of the image have arrived, so `describe` shows a long pull moving.
 */
export function progressReporter(image: string, emit: (message: string) => void): (p: PullProgress) => void {
  let last = performance.now();
  const received = new Map<string, number>();
  const totals = new Map<string, number>();
  return (p) => {
    if (p.digest && p.bytes !== undefined) received.set(p.digest, p.bytes);
    if (p.digest && p.total !== undefined) totals.set(p.digest, p.total);
    const now = performance.now();
    if (now - last < EVERY_MS || p.phase === 'done') return;
    last = now;
    const got = [...received.values()].reduce((a, b) => a + b, 0);
    const total = [...totals.values()].reduce((a, b) => a + b, 0);
    emit(`Pulling image "${image}": ${mb(got)}${total ? ` of ${mb(total)}` : ''} received`);
  };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
