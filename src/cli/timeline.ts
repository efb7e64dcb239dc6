import type { Event } from '../api/types.js';
import { eventTime } from '../kubelet/events.js';

/** `+  1.234s` since the run started: the timeline's millisecond clock. */
export function elapsed(at: Date, origin: number): string {
  const ms = at.getTime() - origin;
  return `+${(ms / 1000).toFixed(3).padStart(8)}s`;
}

function subject(e: Event): string {
  const m = /\{(.+)\}/.exec(e.involvedObject.fieldPath ?? '');
  return m ? m[1] : `pod/${e.involvedObject.name}`;
}

export function formatTimelineEvent(e: Event, origin: number): string {
  const mark = e.type === 'Warning' ? '!' : ' ';
  return `${elapsed(eventTime(e), origin)} ${mark} ${subject(e).padEnd(14)} ${(e.reason ?? '').padEnd(20)} ${e.message ?? ''}`;
}

export function formatLogLine(container: string, stream: string, content: string, at: Date, origin: number): string {
  return `${elapsed(at, origin)}   ${container.padEnd(14)} ${stream === 'stderr' ? 'stderr' : 'stdout'} | ${content}`;
}

export function formatStatusLine(pod: string, columns: string, origin: number): string {
  return `${elapsed(new Date(), origin)}   ${`pod/${pod}`.padEnd(14)} ${columns}`;
}
