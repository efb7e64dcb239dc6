// Timers for the clocks the API hands us. setTimeout keeps its delay in a signed 32-bit integer:
// above 2^31-1 ms (about 24.8 days) Node warns (TimeoutOverflowWarning) and fires after 1 ms. The
// API allows far longer: terminationGracePeriodSeconds and a DELETE's gracePeriodSeconds are int64
// seconds, activeDeadlineSeconds and probe periods/timeouts up to 2^31-1 seconds (68 years). A long
// delay is therefore armed in chunks, each re-measured on the monotonic clock, so a wall-clock step
// (NTP, a suspended VM) neither fires it early nor pushes it back.

/** The longest delay setTimeout honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  /** Cancels the timer; harmless once it has fired. */
  clear(): void;
  /** Lets the process exit while only this timer is pending (as Timeout.unref does), for every chunk. */
  unref(): LongTimer;
}

/**
 * Calls `fn` once, `ms` milliseconds from now, however large `ms` is. An infinite delay never fires
 * (and arms nothing); NaN and negative delays fire on the next turn, as setTimeout treats them.
 * `chunkMs` is the longest single setTimeout armed: a parameter so tests can exercise the chaining.
 */
export function longTimeout(ms: number, fn: () => void, chunkMs = MAX_TIMER_MS): LongTimer {
  const due = performance.now() + (Number.isNaN(ms) ? 0 : Math.max(0, ms));
  let timer: NodeJS.Timeout | undefined;
  let referenced = true;
  const arm = (): void => {
    const left = due - performance.now();
    // A timer may fire a fraction of a millisecond early by the monotonic clock: that is on time.
    if (left < 1) {
      timer = undefined;
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(left, chunkMs));
    if (!referenced) timer.unref();
  };
  const handle: LongTimer = {
    clear() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    unref() {
      referenced = false;
      timer?.unref();
      return handle;
    },
  };
  if (due !== Infinity) timer = setTimeout(arm, Math.min(due - performance.now(), chunkMs));
  return handle;
}
