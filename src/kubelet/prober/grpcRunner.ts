import http2 from 'node:http2';
import type { GRPCAction } from 'kubernetes-types/core/v1.js';
import type { ProbeTarget } from './types.js';
import type { ProbeOutcome, Runner } from './runner.js';
import { probeUserAgent } from './httpRequest.js';
import { joinHostPort, podIP } from './target.js';
import { longTimeout } from '../../runtime/longTimeout.js';

const servingStatus = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const codeNames = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/** A length-prefixed grpc.health.v1.HealthCheckRequest{service} (field 1, a string). */
function checkRequest(service: string): Buffer {
  const name = Buffer.from(service);
  const msg = name.length ? Buffer.concat([Buffer.from([0x0a, ...varint(name.length)]), name]) : Buffer.alloc(0);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(msg.length, 1);
  return Buffer.concat([prefix, msg]);
}

/** HealthCheckResponse.status (field 1, a varint; absent means UNKNOWN) from a length-prefixed message. */
function responseStatus(data: Buffer): number {
  if (data[5] !== 0x08) return 0;
  let n = 0;
  for (let i = 6, shift = 0; i < data.length; i++, shift += 7) {
    n |= (data[i] & 0x7f) << shift;
    if (!(data[i] & 0x80)) break;
  }
  return n;
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** grpc.go: the standard health check over plaintext HTTP/2; anything but SERVING is a failure. */
export function grpcRunner(action: GRPCAction, target: ProbeTarget, timeoutMs: number): Runner {
  const request = checkRequest(action.service ?? '');
  const within = timeoutMs % 1000 ? `${timeoutMs}ms` : `${timeoutMs / 1000}s`; // Go's Duration.String
  return () =>
    new Promise<ProbeOutcome>((resolve) => {
      const addr = joinHostPort(podIP(target), action.port);
      const session = http2.connect(`http://${addr}`);
      let connected = false;
      let settled = false;
      const finish = (result: ProbeOutcome['result'], output: string) => {
        if (settled) return;
        settled = true;
        timer.clear();
        session.destroy();
        resolve({ result, output });
      };
      const timer = longTimeout(timeoutMs, () => {
        if (connected) finish('failure', `timeout: health rpc did not complete within ${within}`);
        else finish('failure', `timeout: failed to connect service ${JSON.stringify(addr)} within ${within}: context deadline exceeded`);
      });
      // grpc.DialContext with WithBlock keeps dialing until the deadline: a refused connection reads as a timeout.
      session.on('error', (err) => connected && finish('failure', `error: health rpc probe failed: ${err.message}`));
      session.once('connect', () => (connected = true));
      const call = session.request({
        ':method': 'POST', ':path': '/grpc.health.v1.Health/Check',
        'content-type': 'application/grpc', te: 'trailers', 'user-agent': probeUserAgent,
      });
      const chunks: Buffer[] = [];
      let grpcStatus: string | undefined;
      let grpcMessage = '';
      const onMeta = (h: http2.IncomingHttpHeaders) => {
        grpcStatus ??= h['grpc-status'] as string | undefined;
        grpcMessage ||= percentDecode((h['grpc-message'] as string | undefined) ?? '');
      };
      call.on('response', onMeta);
      call.on('trailers', onMeta);
      call.on('data', (chunk: Buffer) => chunks.push(chunk));
      call.on('error', (err) => connected && finish('failure', `error: health rpc probe failed: ${err.message}`));
      call.on('end', () => {
        const code = Number(grpcStatus ?? 2);
        if (code === 12) return finish('failure', `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${grpcMessage}`);
        if (code !== 0) return finish('failure', `error: health rpc probe failed: rpc error: code = ${codeNames[code] ?? code} desc = ${grpcMessage}`);
        const status = responseStatus(Buffer.concat(chunks));
        if (status !== 1) return finish('failure', `service unhealthy (responded with ${JSON.stringify(servingStatus[status] ?? String(status))})`);
        finish('success', 'service healthy');
      });
      call.end(request);
    });
}
