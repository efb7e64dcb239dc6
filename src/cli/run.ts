import { loadConfig } from '../kubelet/config.js';
import { parseDuration } from '../kubelet/duration.js';
import { loadPods } from './loadPods.js';
import { runPods } from './runPods.js';
import { describeContainerVerdict } from './verdict.js';
import { timelineFormatOf, writeRunTimeline } from '../timeline/writeTimeline.js';

export interface RunOptions {
  for?: string;
  gracePeriod?: string;
  force?: boolean;
  output?: string;
  config?: string;
  lenient?: boolean;
  asPod?: boolean;
  /** Write the run's timeline picture here (.svg or .html) once the pods are gone. */
  timeline?: string;
}

export function parseGracePeriod(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const grace = Number(text);
  if (!Number.isInteger(grace) || grace < 0) throw new Error('--grace-period must be a whole number of seconds >= 0');
  return grace;
}

/**
 * `tinylet run`: the whole agent in this process for the pods of one file. Streams the timeline and
 * logs, deletes gracefully after --for or on Ctrl-C, and exits 0 only if the pods ended well.
 */
export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const json = opts.output === 'json';
  if (opts.output && !json) throw new Error(`unsupported output format "${opts.output}" (only json)`);
  if (opts.timeline !== undefined) timelineFormatOf(opts.timeline);
  const { pods, objects, warnings, notes } = await loadPods(file, { lenient: opts.lenient, asPod: opts.asPod });
  for (const w of warnings) console.error(w);
  for (const n of notes) console.error(`note: ${n}`);
  const result = await runPods(pods, {
    objects,
    config: loadConfig(opts.config),
    forMs: opts.for ? parseDuration(opts.for, '--for') : undefined,
    gracePeriodSeconds: parseGracePeriod(opts.gracePeriod),
    force: opts.force,
    print: json ? undefined : (line) => console.log(line),
  });
  const { pods: finalPods, events, verdicts } = result;
  if (opts.timeline !== undefined) {
    writeRunTimeline(opts.timeline, result);
    if (!json) console.log(`timeline written to ${opts.timeline}`);
  }
  if (json) {
    const doc = finalPods.length === 1 ? { pod: finalPods[0], events } : { pods: finalPods, events };
    console.log(JSON.stringify({ ...doc, verdict: verdicts.length === 1 ? verdicts[0] : verdicts, ...(warnings.length ? { warnings: warnings.map((w) => w.replace(/^Warning: /, '')) } : {}) }, null, 2));
  } else {
    for (const [i, v] of verdicts.entries()) {
      console.log(`\npod/${finalPods[i].metadata!.name}: ${v.summary}`);
      for (const c of v.containers) console.log(describeContainerVerdict(c));
      for (const h of v.hints ?? []) console.log(`  hint: ${h}`);
    }
  }
  return verdicts.every((v) => v.ok) ? 0 : 1;
}
