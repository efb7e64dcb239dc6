import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { defaultConfig } from '../src/kubelet/config.js';
import { removeCgroupParent } from '../src/runtime/cgroups.js';
import { packageRoot } from '../src/runtime/paths.js';
import { agentRss } from './agentRss.js';
import type { AgentChild } from './agentChild.js';
import { startBenchAgent } from './benchAgent.js';
import { crashLoopRestarts, memoryPerPod, sigkillLateness, startToFirstInstruction, teardown, type Ctx } from './comparison.js';
import { FifoMarks } from './fifoMarks.js';
import { floors } from './floors.js';
import { imagePull } from './imagePull.js';
import { machine } from './machine.js';
import { manyPods } from './manyPods.js';
import { pauseRss } from './pauseRss.js';
import { PODMAN_IMAGE, PodmanEnv, podmanVersion } from './podmanEnv.js';
import { probeCost } from './probeCost.js';
import { formatTable, type Row } from './report.js';
import { PodmanSide, TinyletAgentSide, TinyletCliSide, type RuntimeSide } from './runtimeSides.js';
import { signalTiming, signalTimingUnderWriteback } from './signalTiming.js';
import { FULL, QUICK, type BenchSizes } from './sizes.js';
import { startLatency } from './startLatency.js';

const BENCH_CGROUP = 'tinylet-bench';

/**
 * `npm run bench [-- --quick] [-- --out FILE] [-- --cases floors,comparison,...]`: every speed and size goal, measured on real
 * processes, beside podman when it is installed (not with --quick). Writes one JSON document
 * (default bench/results/latest.json for a full run; a quick run writes only with --out) and
 * prints the tinylet/podman table. A case that fails is recorded as {error} and the exit code is 1.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? resolve(argv[outAt + 1] ?? '') : quick ? undefined : join(packageRoot, 'bench', 'results', 'latest.json');
  const sizes: BenchSizes = quick ? QUICK : FULL;
  const version = sizes.podman ? await podmanVersion() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tinylet-bench-'));
  // Pod CIDRs 10.249.<slot>.0/24, bridges tlbench<slot>: see benchAgent.ts.
  const config = { ...defaultConfig(), stateDir: join(dir, 'state'), apiPort: null, bridgeName: 'tlbench0', podCIDR: '10.249.0.0/24', cgroupParent: BENCH_CGROUP };
  const agentYaml = join(dir, 'agent.yaml');
  writeFileSync(agentYaml, `stateDir: ${join(dir, 'run-state')}\nbridgeName: tlbench1\npodCIDR: 10.249.1.0/24\ncgroupParent: ${BENCH_CGROUP}\n`);
  const results: Record<string, unknown> = { at: new Date().toISOString(), mode: quick ? 'quick' : 'full', machine: machine(version), sizes };
  let failures = 0;
  // `--cases a,b`: only those cases (a partial run; the JSON says which ran).
  const casesAt = argv.indexOf('--cases');
  const only = casesAt >= 0 ? new Set((argv[casesAt + 1] ?? '').split(',')) : undefined;
  if (only) results.cases = [...only];
  const measure = async <T>(name: string, f: () => Promise<T> | T): Promise<T | undefined> => {
    if (only && !only.has(name)) return undefined;
    const t0 = performance.now();
    try {
      const r = await f();
      results[name] = r;
      return r;
    } catch (err) {
      failures++;
      results[name] = { error: err instanceof Error ? err.message : String(err) };
      console.error(`bench: ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return undefined;
    } finally {
      console.error(`bench: ${name} took ${Math.round(performance.now() - t0)} ms`);
    }
  };
  // Ctrl-C or a kill: the bench agents stop themselves when the bench goes (agentProcess.ts); the
  // temp dir, and podman's pods and storage (comparison), are removed here before exiting.
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`bench: ${sig}: cleaning up`);
    void Promise.allSettled(cleanups.map((c) => c())).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await measure('floors', () => floors(sizes.floorRuns));
    await measure('comparison', () => comparison(dir, agentYaml, sizes, version));
    await measure('startLatency', () => startLatency(sizes.cliClockRuns, agentYaml));
    await measure('pause', () => pauseRss());
    await measure('signalTiming', () => signalTiming(config, sizes.signalTimingPods));
    if (sizes.writebackPods > 0) await measure('signalTimingUnderWriteback', () => signalTimingUnderWriteback(config, sizes.writebackPods, dir));
    await measure('probeCost', () => probeCost(dir, 2, sizes.probePods, sizes.probeWarmupMs, sizes.probeWindowMs));
    await measure('agentRss', () => agentRss(dir, 5, sizes.rssCycles, sizes.rssPods));
    await measure('manyPods', () => manyPods({ ...config, stateDir: join(dir, 'many-pods-state'), socketPath: join(dir, 'many-pods.sock'), bridgeName: 'tlbench7', podCIDR: '10.249.7.0/24', serviceCIDR: '10.249.107.0/24' }, quick ? 10 : 100, quick ? 2 : 5));
    if (sizes.imagePullRuns > 0) await measure('imagePull', () => imagePull({ ...config, stateDir: join(dir, 'image-pull-state'), bridgeName: 'tlbench3', podCIDR: '10.249.3.0/24' }, sizes.imagePullRuns));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await removeCgroupParent(BENCH_CGROUP);
  }
  const table = (results.comparison as { table?: Row[] } | undefined)?.table;
  if (table) console.log(formatTable(table));
  console.log(JSON.stringify({ floors: results.floors, probeCost: results.probeCost, agentRss: results.agentRss }, null, 2));
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    console.log(`bench: results in ${out}`);
  }
  if (failures) process.exitCode = 1;
}

type Side = Record<string, unknown>;

/** What must be undone if the bench is interrupted. */
const cleanups: (() => Promise<void>)[] = [];

/** The same cases on tinylet (CLI and API) and, when installed and not --quick, podman. */
async function comparison(dir: string, agentYaml: string, sizes: BenchSizes, version: string | undefined): Promise<Record<string, unknown>> {
  const markDir = join(dir, 'marks');
  mkdirSync(markDir);
  const marks = new FifoMarks(markDir);
  const ctx: Ctx = { marks, markDir };
  let agent: AgentChild | undefined;
  let podman: PodmanEnv | undefined;
  const sides: Record<string, Side | null> = {};
  try {
    sides.tinyletCli = await startCases(new TinyletCliSide(dir, agentYaml), ctx, sizes);
    agent = await startBenchAgent(dir, 4);
    sides.tinyletApi = await allCases(new TinyletAgentSide(agent), ctx, sizes);
    await agent.stop();
    agent = undefined;
    if (version) {
      podman = await PodmanEnv.create(join(dir, 'podman'));
      const env = podman;
      cleanups.push(() => env.destroy());
      sides.podman = await allCases(new PodmanSide(podman, PODMAN_IMAGE), ctx, sizes);
    } else sides.podman = null;
  } finally {
    await agent?.stop();
    await podman?.destroy();
    marks.close();
  }
  return {
    method:
      'Each container writes one line to a FIFO (hostPath volume) as its first instruction; the bench timestamps its arrival against the spawn of the start. Same pods, same busybox-static binary, on both runtimes.',
    podman: version ?? (sizes.podman ? 'not installed: tinylet side only' : 'not run (--quick)'),
    sides,
    table: version ? tableOf(sides as Record<string, Side>) : undefined,
  };
}

async function startCases(side: RuntimeSide, ctx: Ctx, sizes: BenchSizes): Promise<Side> {
  // One discarded run first: podman builds its infra image on the first play, tinylet's page cache warms.
  if (sizes.startWarmup) await startToFirstInstruction(side, ctx, 1, 1);
  return {
    start1: await startToFirstInstruction(side, ctx, 1, sizes.startRuns),
    start3: await startToFirstInstruction(side, ctx, 3, sizes.startRuns),
  };
}

async function allCases(side: RuntimeSide, ctx: Ctx, sizes: BenchSizes): Promise<Side> {
  return {
    ...(await startCases(side, ctx, sizes)),
    memory: await memoryPerPod(side, ctx, sizes.memoryPods),
    sigkillLateness: await sigkillLateness(side, ctx, sizes.sigkillRuns),
    teardown: await teardown(side, ctx, sizes.teardownPods),
    crashLoop: await crashLoopRestarts(side, ctx, sizes.crashLoopWindowMs),
  };
}

function tableOf(s: Record<string, Side>): Row[] {
  const get = (side: string, path: string): number | undefined => path.split('.').reduce<any>((o, k) => o?.[k], s[side]);
  const row = (what: string, t: string, tPath: string, pPath: string, unit: string, note?: string): Row => ({ what, tinylet: get(t, tPath), podman: get('podman', pPath), unit, note });
  return [
    row('start, 1 container: `tinylet run` / kube play', 'tinyletCli', 'start1.medianMs', 'start1.medianMs', 'ms'),
    row('start, 1 container: API create / kube play', 'tinyletApi', 'start1.medianMs', 'start1.medianMs', 'ms', 'agent already running'),
    row('start, 3 containers: `tinylet run` / kube play', 'tinyletCli', 'start3.medianMs', 'start3.medianMs', 'ms'),
    row('start, 3 containers: API create / kube play', 'tinyletApi', 'start3.medianMs', 'start3.medianMs', 'ms'),
    row('RSS per idle pod', 'tinyletApi', 'memory.rssKbPerPod', 'memory.rssKbPerPod', 'kB', 'tinylet: pause+launcher+app; podman: 2 conmon+catatonit+app'),
    row('PSS per idle pod', 'tinyletApi', 'memory.pssKbPerPod', 'memory.pssKbPerPod', 'kB'),
    row('SIGKILL after the grace deadline (median)', 'tinyletApi', 'sigkillLateness.medianMs', 'sigkillLateness.medianMs', 'ms', 'podman: pod stop -t 2'),
    row('teardown of N pods', 'tinyletApi', 'teardown.ms', 'teardown.ms', 'ms'),
    row('restarts of a crash-looping container in the window', 'tinyletApi', 'crashLoop.restarts', 'crashLoop.restarts', '', 'fidelity, not speed: tinylet backs off 10s, 20s, 40s... as the kubelet; podman 4.3 has no back-off'),
  ];
}


main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
