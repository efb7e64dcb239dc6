// Backpressure between the client's connection and the command, both ways: a command writing faster
// than the client reads (kubectl cp of a big tree, a slow link) must wait rather than be buffered by
// the agent without limit, and so must a client sending input faster than the command reads it.
// Both transports run over the upgraded socket, so its buffer is the measure and its reading the tap.
import type { Duplex } from 'node:stream';
import type { CommandStatus, CommandStreams } from './commandStreams.js';
import type { PendingInput } from './pendingInput.js';

export interface ConnectionDrain {
  /** True while the socket holds more than its high-water mark. */
  congested(): boolean;
  /** Calls `cb` once the socket drained or is gone; at once when it is not backed up. */
  onDrain(cb: () => void): void;
  /** Stop and restart reading the socket (the other direction of backpressure: client input). */
  pauseInput(): void;
  resumeInput(): void;
}

export function connectionDrain(socket: Duplex): ConnectionDrain {
  return {
    congested: () => socket.writableNeedDrain && !socket.destroyed,
    onDrain: (cb) => {
      if (!socket.writableNeedDrain || socket.destroyed) return cb();
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        cb();
      };
      socket.on('drain', done);
      socket.on('close', done);
    },
    pauseInput: () => socket.pause(),
    resumeInput: () => socket.resume(),
  };
}

/** How a transport writes one session's output and its final status. */
export interface SessionWire {
  write(stream: 'stdout' | 'stderr', data: Buffer | string): void;
  /** Sends the status and ends the output; called once, with the client's input flowing again. */
  end(status: CommandStatus): void;
}

/**
 * The CommandStreams both transports hand the handlers: output that reports the socket's
 * congestion, and a finish() that counts once and resumes input first, so the client's close is seen.
 */
export function drainedCommandStreams(socket: Duplex, protocol: string, input: PendingInput, wire: SessionWire): CommandStreams {
  const drain = connectionDrain(socket);
  let finished = false;
  return {
    protocol,
    stdout: (d) => (wire.write('stdout', d), !drain.congested()),
    stderr: (d) => (wire.write('stderr', d), !drain.congested()),
    onDrain: drain.onDrain,
    pauseInput: drain.pauseInput,
    resumeInput: drain.resumeInput,
    finish: (status) => {
      if (finished) return;
      finished = true;
      drain.resumeInput();
      wire.end(status);
    },
    listen: (handlers) => input.listen(handlers),
  };
}
