import { writeFileSync } from 'node:fs';
import { loadConfig } from '../kubelet/config.js';
import { parseDuration } from '../kubelet/duration.js';
import { loadPods } from './loadPods.js';
import { parseGracePeriod } from './run.js';
import { UsageError } from './usageError.js';
import { formatReport } from '../verify/report.js';
import { toJunit } from '../verify/junit.js';
import { HttpLoad, parseLoadTarget } from '../verify/load.js';
import { verifyPods, type LoadDriver } from '../verify/verifyPods.js';
import { timelineFormatOf } from '../timeline/writeTimeline.js';

export interface VerifyCommandOptions {
  filename: string;
  gracePeriod?: string;
  readyAfter?: string;
  timeout?: string;
  output?: string;
  junit?: string;
  config?: string;
  lenient?: boolean;
  asPod?: boolean;
  verbose?: boolean;
  load?: string;
  rps?: string;
  concurrency?: string;
  timeline?: string;
}

function positiveInt(text: string | undefined, flag: string, dflt: number): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError(`${flag} must be a whole number from 1 to 10000`);
  return n;
}

/** The --load driver: the target resolved when the load starts (pod IPs and cluster IPs exist by then). */
function loadDriver(opts: VerifyCommandOptions): LoadDriver | undefined {
  if (!opts.load) return undefined;
  const target = parseLoadTarget(opts.load);
  const load = new HttpLoad({ target: opts.load, rps: positiveInt(opts.rps, '--rps', 20), concurrency: positiveInt(opts.concurrency, '--concurrency', 4), timeoutMs: 2000 });
  return {
    ...('kind' in target && target.kind === 'service' ? { service: target.name } : {}),
    start(run) {
      if ('url' in target) return load.start(target.url);
      if (target.kind === 'pod') {
        const w = run.workers.find((x) => x.pod.metadata!.name === target.name);
        const ip = w?.pod.status?.podIP;
        return load.start(ip ? `http://${ip}:${target.port}${target.path}` : undefined, w ? `pod ${target.name} has no IP` : `--load: no pod ${target.name} in the manifest`);
      }
      const svc = run.world.objects.list('services').find((o) => o.metadata?.name === target.name) as { spec?: { clusterIP?: string } } | undefined;
      const ip = svc?.spec?.clusterIP;
      load.start(ip && ip !== 'None' ? `http://${ip}:${target.port}${target.path}` : undefined, svc ? `service ${target.name} has no cluster IP` : `--load: no service ${target.name} in the manifest`);
    },
    finish: (stopAt, endpoint) => load.finish(stopAt, endpoint),
  };
}

/**
 * `tinylet verify -f app.yaml`: does the app stop right when Kubernetes deletes its pod? Runs the
 * pods (as `tinylet run`), deletes them once Ready, and prints a verdict per container with a
 * diagnosis. Exit code 0 only when every check passed.
 */
export async function verifyCommand(opts: VerifyCommandOptions): Promise<number> {
  const json = opts.output === 'json';
  if (opts.output && !json) throw new UsageError(`unsupported output format "${opts.output}" (only json)`);
  if (opts.timeline !== undefined) {
    try {
      timelineFormatOf(opts.timeline);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const { pods, objects, warnings, notes } = await loadPods(opts.filename, { lenient: opts.lenient, asPod: opts.asPod });
  if (pods.length === 0) throw new UsageError(`${opts.filename}: no pods to verify`);
  for (const w of warnings) console.error(w);
  for (const n of notes) console.error(`note: ${n}`);
  const report = await verifyPods(pods, {
    config: loadConfig(opts.config),
    objects,
    gracePeriodSeconds: parseGracePeriod(opts.gracePeriod),
    readyAfterMs: opts.readyAfter !== undefined ? parseDuration(opts.readyAfter, '--ready-after') : undefined,
    readyTimeoutMs: parseDuration(opts.timeout ?? '60s', '--timeout'),
    print: opts.verbose ? (line) => console.error(line) : undefined,
    load: loadDriver(opts),
    timeline: opts.timeline,
  });
  if (opts.junit) writeFileSync(opts.junit, toJunit(report));
  console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.ok ? 0 : 1;
}
