import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Event, Pod } from '../api/types.js';
import { loadConfig } from '../kubelet/config.js';
import { parseDuration } from '../kubelet/duration.js';
import { Kubelet } from '../kubelet/kubelet.js';
import type { PodWorker } from '../kubelet/podWorker.js';
import { loadPods } from './loadPods.js';
import { formatLogLine, formatTimelineEvent } from './timeline.js';
import { describeContainerVerdict, judge } from './verdict.js';

export interface RunOptions {
  for?: string;
  gracePeriod?: string;
  force?: boolean;
  output?: string;
  config?: string;
  lenient?: boolean;
  quiet?: boolean;
}

/**
 * `tinylet run`: the whole agent in this process for the pods of one file. Streams the timeline and
 * logs, deletes gracefully after --for or on Ctrl-C, and exits 0 only if the pods ended well.
 */
export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const json = opts.output === 'json';
  if (opts.output && !json) throw new Error(`error: unsupported output format "${opts.output}" (only json)`);
  const { pods, warnings } = await loadPods(file, opts.lenient === true);
  for (const w of warnings) console.error(w);
  const forMs = opts.for ? parseDuration(opts.for, '--for') : undefined;
  const grace = opts.gracePeriod !== undefined ? Number(opts.gracePeriod) : undefined;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw new Error('error: --grace-period must be a whole number of seconds >= 0');
  const base = loadConfig(opts.config);
  const stateDir = join(base.stateDir, `run-${process.pid}`);
  const kubelet = new Kubelet({ ...base, stateDir, apiPort: null, randomPodIPs: true });
  const origin = Date.now();
  const say = (line: string) => {
    if (!json && !opts.quiet) console.log(line);
  };
  const events: Event[] = [];
  kubelet.events.on('event', (e: Event) => {
    events.push(e);
    say(formatTimelineEvent(e, origin));
  });
  kubelet.on('log', (_w: PodWorker, r: { name: string }, line: { stream: string; content: string; time: Date }) => {
    say(formatLogLine(r.name, line.stream, line.content, line.time, origin));
  });

  const workers = pods.map((p) => {
    kubelet.createPod(p);
    return kubelet.getWorker(p.metadata!.namespace!, p.metadata!.name!)!;
  });
  let deleted = false;
  const deleteAll = (force: boolean) => {
    deleted = true;
    for (const w of workers) {
      kubelet.deletePod(w.pod.metadata!.namespace!, w.pod.metadata!.name!, { gracePeriodSeconds: force ? 0 : grace, force: force || opts.force });
    }
  };
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    deleteAll(interrupts > 1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = forMs !== undefined ? setTimeout(() => deleteAll(false), forMs) : undefined;

  await Promise.all(workers.map((w) => w.done));
  if (timer) clearTimeout(timer);
  if (deleted) await kubelet.drained();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await kubelet.network.destroyIfUnused();
  rmSync(stateDir, { recursive: true, force: true });

  const finalPods: Pod[] = workers.map((w) => w.pod);
  const verdicts = finalPods.map((p) => judge(p, events.filter((e) => e.involvedObject.uid === p.metadata!.uid), deleted));
  if (json) {
    const doc = finalPods.length === 1 ? { pod: finalPods[0], events } : { pods: finalPods, events };
    console.log(JSON.stringify({ ...doc, verdict: verdicts.length === 1 ? verdicts[0] : verdicts }, null, 2));
  } else {
    for (const [i, v] of verdicts.entries()) {
      say(`\npod/${finalPods[i].metadata!.name}: ${v.summary}`);
      for (const c of v.containers) say(describeContainerVerdict(c));
    }
  }
  return verdicts.every((v) => v.ok) ? 0 : 1;
}
