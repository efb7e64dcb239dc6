// The expected-outcome checks of scenario.yaml on a recorded run: each kind of expectation passes on
// what it describes and fails, naming what was missing, on what it does not.
import { describe, expect, it } from 'vitest';
import type { Event, Pod } from '../src/api/types.js';
import type { RunResult } from '../src/cli/runPods.js';
import { checkScenario, type ScenarioSpec } from '../src/cli/scenarioSpec.js';

const pod: Pod = {
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'app' }] },
  status: { phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] },
};
const events = ['Started', 'Unhealthy', 'Unhealthy', 'Killing'].map((reason) => ({ reason }) as Event);
const result: RunResult = { pods: [pod], events, verdicts: [{ ok: false, summary: 'FAIL' } as RunResult['verdicts'][number]], deleted: true, readiness: [] };
const printed = [
  '+   0.100s   app            stdout | starting',
  '+   0.200s   pod/p          STATUS Running   READY 1/1   RESTARTS 0',
  '+   0.300s   app            stderr | oops',
  '+   0.400s ! app            Exited               Container app (pid 9) was OOM-killed at its memory limit (exit code 137)',
];
const run = (expectations: ScenarioSpec['expect']) => checkScenario({ title: 't', expect: expectations }, result, printed);

describe('scenario expectations', () => {
  it('hold on the run they describe', () => {
    const checks = run({
      verdict: 'FAIL',
      phase: 'Failed',
      containers: { app: { exitCode: 137, reason: 'OOMKilled', restartCount: 0 } },
      timeline: ['Started', 'Killing'],
      logs: { app: ['starting', 'oops'] },
      notInLogs: { app: ['still alive'] },
      events: [{ reason: 'Unhealthy', min: 2, max: 2 }, { reason: 'PreStopHook', max: 0 }],
      output: ['stdout | starting', 'STATUS Running', 'OOM-killed'],
      notInOutput: ['SIGKILL in'],
    });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks).toHaveLength(12);
  });

  it('fail, saying what was missing', () => {
    const failed = run({
      logs: { app: ['oops', 'starting'] },
      notInLogs: { app: ['oops'] },
      events: [{ reason: 'Unhealthy', max: 1 }],
      output: ['OOM-killed', 'STATUS Running'],
      notInOutput: ['READY 1/1'],
      timeline: ['Killing', 'Started'],
    }).filter((c) => !c.ok).map((c) => c.what);
    expect(failed).toEqual([
      'timeline Killing -> Started (stopped before Started)',
      'app: logs "oops" then "starting" (no line with "starting" after the previous ones)',
      'app: no log line with "oops" (got "oops")',
      '0 to 1 Unhealthy event(s) (got 2)',
      'output "OOM-killed" then "STATUS Running" (no line with "STATUS Running" after the previous ones)',
      'output has no "READY 1/1" (got "+   0.200s   pod/p          STATUS Running   READY 1/1   RESTARTS 0")',
    ]);
  });
});
