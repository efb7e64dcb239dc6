/**
 * The probe clock: one timer for every probe worker of the agent. Probe times are rounded up to a
 * 100 ms grid on the monotonic clock and run together, so however many containers are probed the event
 * loop wakes at most ten times a second for them (those wake-ups are most of what a probe costs).
 */
import { MAX_TIMER_MS } from '../../runtime/longTimeout.js';

export const gridMs = 100;

type Task = () => void;
const slots = new Map<number, Task[]>();
let armed: { slot: number; timer: NodeJS.Timeout } | undefined;
let firing = false;

/** Runs `task` at the first grid point at or after `time` (performance.now() milliseconds); answers its slot. */
export function runAt(time: number, task: Task): number {
  const slot = Math.ceil(time / gridMs);
  const tasks = slots.get(slot);
  if (tasks) tasks.push(task);
  else slots.set(slot, [task]);
  if (!firing && (!armed || slot < armed.slot)) arm(slot);
  return slot;
}

/** Takes back a task not yet run. */
export function cancel(slot: number, task: Task): void {
  const tasks = slots.get(slot);
  const i = tasks ? tasks.indexOf(task) : -1;
  if (i < 0) return;
  tasks!.splice(i, 1);
  if (tasks!.length === 0) slots.delete(slot);
  if (slots.size === 0 && armed) {
    clearTimeout(armed.timer);
    armed = undefined;
  }
}

/**
 * A probe period or initial delay may be up to 2^31-1 seconds, past what setTimeout can wait (it would
 * fire after 1 ms, again and again): the wait is capped, and a wake-up that finds nothing due re-arms.
 */
function arm(slot: number): void {
  if (armed) clearTimeout(armed.timer);
  armed = { slot, timer: setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, slot * gridMs - performance.now()))) };
}

function fire(): void {
  armed = undefined;
  const now = Math.floor((performance.now() + 1) / gridMs); // a timer may fire a fraction of a millisecond early
  const due: Task[][] = [];
  for (const [slot, tasks] of slots) {
    if (slot > now) continue;
    due.push(tasks);
    slots.delete(slot);
  }
  firing = true;
  for (const tasks of due) {
    for (const task of tasks) {
      try {
        task();
      } catch (err) {
        console.error('tinylet: probe clock:', err);
      }
    }
  }
  firing = false;
  let next = Infinity;
  for (const slot of slots.keys()) next = Math.min(next, slot);
  if (next !== Infinity) arm(next);
}
