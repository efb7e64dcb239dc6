import type { Probe } from '../../api/types.js';
import type { ProbeResult, ProbeTarget } from './types.js';
import { execRunner } from './execRunner.js';
import { httpRunner } from './httpRunner.js';
import { tcpRunner } from './tcpRunner.js';
import { grpcRunner } from './grpcRunner.js';

/**
 * What one attempt of a handler found. `unknown` means the probe could not be run at all (the kubelet's
 * probe error: the result is thrown away); `warning` is a success the kubelet reports as ProbeWarning.
 */
export interface ProbeOutcome {
  result: ProbeResult;
  output: string;
  warning?: boolean;
}

export type Runner = () => Promise<ProbeOutcome>;

export function errored(err: Error | string): Runner {
  const outcome: ProbeOutcome = { result: 'unknown', output: typeof err === 'string' ? err : err.message };
  return () => Promise.resolve(outcome);
}

/** runner.go's factory: one small runner per handler, built once per worker. */
export function newRunner(probe: Probe, target: ProbeTarget, timeoutMs: number): Runner {
  if (probe.tcpSocket) return tcpRunner(probe.tcpSocket, target, timeoutMs);
  if (probe.httpGet) return httpRunner(probe.httpGet, target, timeoutMs);
  if (probe.grpc) return grpcRunner(probe.grpc, target, timeoutMs);
  if (probe.exec) return execRunner(probe.exec, target, timeoutMs);
  return errored(`missing probe handler for container ${JSON.stringify(target.container.name)}`);
}
