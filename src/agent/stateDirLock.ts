// One agent per state dir. Two agents on one state dir would each "recover" the other's pods (kill
// them, replace their FIFOs) and fight over one store, so the agent takes <stateDir>/agent.lock
// before anything else touches the dir. The flock is held by a helper, `tinylet-pause lock`, not by
// node (which cannot flock): the helper dies with the agent (PDEATHSIG) or when its stdin closes,
// and the kernel drops the lock with it, whichever way the agent ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { agentPidEnv, pauseBinary } from '../runtime/paths.js';

export class StateDirBusyError extends Error {
  constructor(
    readonly stateDir: string,
    readonly holderPid: string,
  ) {
    super(`another agent (pid ${holderPid}) is using the state dir ${stateDir}`);
  }
}

export class StateDirLock {
  private constructor(
    readonly path: string,
    private readonly holder: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  /** Takes the lock, or throws StateDirBusyError naming the agent that holds it. */
  static async acquire(stateDir: string): Promise<StateDirLock> {
    if (!existsSync(pauseBinary)) throw new Error(`${pauseBinary} is missing: run \`npm run build\``);
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const path = join(stateDir, 'agent.lock');
    // stdin stays open for as long as the lock is held: closing it is how release() lets go.
    const child = spawn(pauseBinary, ['lock', path], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...agentPidEnv() } });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin!.on('error', () => undefined); // EPIPE if the helper is gone: nothing to release then
    const answer = await new Promise<string>((resolve) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        child.stdout!.off('data', onData);
        resolve(out.slice(0, nl));
      };
      child.stdout!.on('data', onData);
      child.once('error', (err) => resolve(`error ${err.message}`));
      child.once('close', (code) => resolve(out.trim() || `error exited with ${code} before answering`));
    });
    if (answer === 'locked') {
      // The lock must not keep an agent's event loop alive by itself (in-process agents in tests).
      child.unref();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      return new StateDirLock(path, child, exited);
    }
    child.stdin!.end();
    await exited;
    const held = /^held (.+)$/.exec(answer);
    if (held) throw new StateDirBusyError(stateDir, held[1]!);
    throw new Error(`could not lock ${path}: ${answer.replace(/^error /, '')}`);
  }

  /** Lets go of the lock: the helper sees its stdin close and exits; resolves once it has. */
  async release(): Promise<void> {
    this.holder.stdin?.end();
    const timer = setTimeout(() => this.holder.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}
