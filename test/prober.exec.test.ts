import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Container, ExecAction } from '../src/api/types.js';
import { execRunner } from '../src/kubelet/prober/execRunner.js';
import type { ProbeTarget } from '../src/kubelet/prober/types.js';
import { SpecWriter } from '../src/runtime/containerSpec.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// nsenter into the namespaces of a process of our own: needs root (CI runs as root).
const root = process.getuid?.() === 0;

describe.skipIf(!root)('exec probe runner', () => {
  const withSleeper = async (onTestFinished: (fn: () => void) => void): Promise<ChildProcess> => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    onTestFinished(() => void child.kill('SIGKILL'));
    await new Promise((r) => child.once('spawn', r));
    return child;
  };
  // The exec mode takes the container's identity from its spec: root with no capabilities will do.
  const dir = mkdtempSync(join(tmpdir(), 'tinylet-exec-'));
  const specPath = join(dir, 'spec');
  new SpecWriter().write(specPath);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const target = (pid: number, container: Partial<Container> = {}): ProbeTarget => ({
    pod: () => ({}),
    container: { name: 'app', ...container },
    pid,
    specPath,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', GREETING: 'hello' },
    startedAt: Date.now(),
  });
  const run = (pid: number, action: ExecAction, container?: Partial<Container>, timeoutMs = 2000) => execRunner(action, target(pid, container), timeoutMs)();

  it('exit 0 is success, anything else a failure with the combined output', async ({ onTestFinished }) => {
    const { pid } = await withSleeper(onTestFinished);
    expect((await run(pid!, { command: ['true'] })).result).toBe('success');
    const out = await run(pid!, { command: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    expect(out.result).toBe('failure');
    expect(out.output.split('\n').sort()).toEqual(['err', 'out']);
  });

  it("runs with the container's env and expands $(VAR) from its literal env values", async ({ onTestFinished }) => {
    const { pid } = await withSleeper(onTestFinished);
    const out = await run(pid!, { command: ['sh', '-c', 'echo $GREETING $(WHO)'] }, { env: [{ name: 'WHO', value: 'world' }] });
    expect(out).toEqual({ result: 'success', output: 'hello world' });
  });

  it('keeps at most 10KB of output', async ({ onTestFinished }) => {
    const { pid } = await withSleeper(onTestFinished);
    const out = await run(pid!, { command: ['sh', '-c', "head -c 20000 /dev/zero | tr '\\0' x; exit 1"] });
    expect(out.output.length).toBe(10240);
  });

  it('a timeout is a failure with the kubelet message', async ({ onTestFinished }) => {
    const { pid } = await withSleeper(onTestFinished);
    const t0 = performance.now();
    expect(await run(pid!, { command: ['sleep', '5'] }, {}, 500)).toEqual({ result: 'failure', output: 'command "sleep 5" timed out' });
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
