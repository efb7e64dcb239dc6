import type { FifoMarks } from './fifoMarks.js';
import { benchPod, crashAtOnce, markThenExitOnTerm, markThenIgnoreTerm, markThenSleep } from './benchPods.js';
import { memoryOf, processEnded } from './procStats.js';
import type { RuntimeSide } from './runtimeSides.js';
import { median, nowNs } from './util.js';

// The cases of the tinylet/podman comparison, each written once against RuntimeSide and run on
// every side with the same pods, the same FIFO and the same clock.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;

export interface Ctx {
  marks: FifoMarks;
  markDir: string;
}

let seq = 0;
const podName = (what: string) => `bench-${what}-${++seq}`;

/**
 * Spawn of the start (API request, `tinylet run`, `podman kube play`) -> the last container's first
 * instruction, a line on the FIFO. Median and max of `runs`; the pod is removed between runs.
 */
export async function startToFirstInstruction(side: RuntimeSide, ctx: Ctx, containers: number, runs: number): Promise<{ runs: number; medianMs: number; maxMs: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = podName(`start${containers}`);
    const scripts: Record<string, string> = {};
    for (let c = 1; c <= containers; c++) scripts[`c${c}`] = markThenExitOnTerm(`${name}-c${c}`);
    const pod = benchPod(name, scripts, { image: side.image, markDir: ctx.markDir, grace: 5 });
    ctx.marks.reset();
    const t0 = nowNs();
    const started = side.start([pod]);
    const last = await ctx.marks.waitFor(Object.keys(scripts).map((c) => `${name}-${c}`), 60_000);
    ms.push(Number(last - t0) / 1e6);
    await started;
    await side.teardown([name]);
  }
  return { runs, medianMs: round1(median(ms)), maxMs: round1(Math.max(...ms)) };
}

/** RSS and PSS of every process `pods` idle one-container pods cost, per pod. */
export async function memoryPerPod(side: RuntimeSide, ctx: Ctx, pods: number): Promise<Record<string, unknown>> {
  const names = Array.from({ length: pods }, () => podName('mem'));
  ctx.marks.reset();
  await side.start(names.map((n) => benchPod(n, { app: markThenSleep(n) }, { image: side.image, markDir: ctx.markDir, grace: 0 })));
  await ctx.marks.waitFor(names, 60_000);
  // Past start-up: page cache faulted in, the start-up helpers gone.
  await sleep(1000);
  const cost = memoryOf(await side.podProcesses(names));
  await side.clear();
  return { pods, processesPerPod: round1(cost.processes / pods), rssKbPerPod: Math.round(cost.rssKb / pods), pssKbPerPod: Math.round(cost.pssKb / pods), processNames: cost.names };
}

/**
 * How late SIGKILL lands after the grace deadline: a container that traps SIGTERM (it reports
 * the arrival on the FIFO) and goes on, grace 2 s; its process ends (gone or zombie, polled every
 * millisecond) at SIGKILL. Lateness = end - SIGTERM seen - 2000 ms.
 */
export async function sigkillLateness(side: RuntimeSide, ctx: Ctx, runs: number): Promise<{ runs: number; medianMs: number; maxMs: number }> {
  const grace = 2;
  const late: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = podName('sigkill');
    ctx.marks.reset();
    await side.start([benchPod(name, { app: markThenIgnoreTerm(name) }, { image: side.image, markDir: ctx.markDir, grace })]);
    await ctx.marks.waitFor([name], 60_000);
    const [pid] = await side.appPids(name);
    if (!pid) throw new Error(`${side.name}: no pid for ${name}`);
    await side.requestStop(name, grace);
    const term = await ctx.marks.waitFor([`term-${name}`], 30_000);
    const deadline = Date.now() + 30_000;
    while (!processEnded(pid)) {
      if (Date.now() > deadline) throw new Error(`${side.name}: ${name} (pid ${pid}) still runs 30 s after SIGTERM`);
      await sleep(1);
    }
    late.push(Number(nowNs() - term) / 1e6 - grace * 1000);
    await side.clear();
  }
  return { runs, medianMs: round1(median(late)), maxMs: round1(Math.max(...late)) };
}

/** `pods` running pods whose app exits on SIGTERM, deleted together: the request -> all reported gone. */
export async function teardown(side: RuntimeSide, ctx: Ctx, pods: number): Promise<{ pods: number; ms: number; appsEnded: boolean }> {
  const names = Array.from({ length: pods }, () => podName('down'));
  ctx.marks.reset();
  await side.start(names.map((n) => benchPod(n, { app: markThenExitOnTerm(n) }, { image: side.image, markDir: ctx.markDir, grace: 10 })));
  await ctx.marks.waitFor(names, 120_000);
  const pids = (await Promise.all(names.map((n) => side.appPids(n)))).flat();
  const t0 = performance.now();
  await side.teardown(names);
  const ms = performance.now() - t0;
  const appsEnded = pids.every(processEnded);
  await side.clear();
  return { pods, ms: Math.round(ms), appsEnded };
}

/** Restarts of a container that exits 1 at once (restartPolicy Always) within `windowMs` of the start. */
export async function crashLoopRestarts(side: RuntimeSide, ctx: Ctx, windowMs: number): Promise<{ windowS: number; restarts: number }> {
  const name = podName('crash');
  const t0 = performance.now();
  await side.start([benchPod(name, { app: crashAtOnce() }, { image: side.image, markDir: ctx.markDir, grace: 0 })]);
  await sleep(windowMs - (performance.now() - t0));
  const restarts = await side.restartCount(name, 'app');
  await side.clear();
  return { windowS: windowMs / 1000, restarts };
}
