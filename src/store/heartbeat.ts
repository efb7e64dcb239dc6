// When did the previous agent die? Its containers died with it (PR_SET_PDEATHSIG), and after a
// SIGKILL or a power cut nothing records the moment. So the agent touches <stateDir>/store/alive
// every second (a metadata update, no write, no fsync): at the next start, that file's mtime is
// the last moment the old agent was known alive, within a second of its containers' death. That is
// the finishedAt of the instances lost with it, rather than the time of the restart, which may be
// hours later (containerd uses the time it noticed, which is all it knows).
import { closeSync, openSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

const INTERVAL_MS = 1000;

export class Heartbeat {
  private readonly path: string;
  private timer?: NodeJS.Timeout;
  /** The previous run's last beat (read before this run beats), if it left one. */
  readonly previous?: Date;

  constructor(stateDir: string) {
    this.path = join(stateDir, 'store', 'alive');
    try {
      this.previous = statSync(this.path).mtime;
    } catch {
      this.previous = undefined;
    }
  }

  start(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), INTERVAL_MS);
    this.timer.unref();
  }

  /** A last beat at a graceful stop, so the time recorded is the stop's. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.beat();
  }

  private beat(): void {
    try {
      const now = new Date();
      try {
        utimesSync(this.path, now, now);
      } catch {
        closeSync(openSync(this.path, 'a', 0o600));
      }
    } catch {
      // The state dir is gone or read-only: the next start falls back to the time it starts.
    }
  }
}
