import { connect } from 'node:net';
import type { TCPSocketAction } from '../../api/types.js';
import type { ProbeTarget } from './types.js';
import { errored, type ProbeOutcome, type Runner } from './runner.js';
import { dialError, dialTimeout, type SocketError } from './netError.js';
import { joinHostPort, podIP, resolvePort } from './target.js';
import { longTimeout } from '../../runtime/longTimeout.js';

const success: ProbeOutcome = { result: 'success', output: '' };

/** tcp.go: success when a connection opens within the timeout; it is closed at once. */
export function tcpRunner(action: TCPSocketAction, target: ProbeTarget, timeoutMs: number): Runner {
  const port = resolvePort(action.port, target.container);
  if (port instanceof Error) return errored(port);
  return () => dial(action.host || podIP(target), port, timeoutMs);
}

export function dial(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ProbeOutcome) => {
      timer.clear();
      socket.destroy();
      resolve(outcome);
    };
    const timer = longTimeout(timeoutMs, () => done({ result: 'failure', output: dialTimeout(joinHostPort(host, port)) }));
    socket.once('connect', () => done(success));
    socket.once('error', (err: SocketError) => done({ result: 'failure', output: dialError(joinHostPort(host, port), err) }));
  });
}
