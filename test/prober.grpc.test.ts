import { describe, expect, it } from 'vitest';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import type { GRPCAction } from 'kubernetes-types/core/v1.js';
import { grpcRunner } from '../src/kubelet/prober/grpcRunner.js';
import type { ProbeTarget } from '../src/kubelet/prober/types.js';

const target: ProbeTarget = { pod: () => ({ status: { podIP: '127.0.0.1' } }), container: { name: 'app' }, pid: 0, specPath: '', env: {}, startedAt: Date.now() };

/** A plaintext HTTP/2 server speaking grpc.health.v1: status per service name, nothing at all for "hang". */
async function healthServer(onTestFinished: (fn: () => Promise<void>) => void, statuses: Record<string, number>) {
  const seen: http2.IncomingHttpHeaders[] = [];
  const srv = http2.createServer();
  srv.on('stream', (stream, headers) => {
    seen.push(headers);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const service = body.length > 5 ? body.subarray(7).toString() : '';
      if (service === 'hang') return;
      if (headers[':path'] !== '/grpc.health.v1.Health/Check') {
        return stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service' }, { endStream: true });
      }
      if (!(service in statuses)) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'unknown service' }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, statuses[service]]));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => srv.close(() => r())));
  return { port: (srv.address() as AddressInfo).port, seen, srv };
}

const probe = (action: GRPCAction, timeoutMs = 1000) => grpcRunner(action, target, timeoutMs)();

describe('grpc probe runner', () => {
  it('SERVING is success; NOT_SERVING and unknown services are failures', async ({ onTestFinished }) => {
    const s = await healthServer(onTestFinished, { '': 1, sick: 2 });
    expect(await probe({ port: s.port })).toEqual({ result: 'success', output: 'service healthy' });
    expect(s.seen[0]['user-agent']).toBe('kube-probe/1.33');
    expect(await probe({ port: s.port, service: 'sick' })).toEqual({ result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
    expect(await probe({ port: s.port, service: 'other' })).toEqual({
      result: 'failure',
      output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
    });
  });

  it('times out, and fails to connect', async ({ onTestFinished }) => {
    const s = await healthServer(onTestFinished, {});
    s.srv.on('session', (session) => onTestFinished(async () => void session.destroy()));
    expect(await probe({ port: s.port, service: 'hang' }, 300)).toEqual({ result: 'failure', output: 'timeout: health rpc did not complete within 300ms' });
    const closed = await new Promise<number>((resolve) => {
      const t = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (t.address() as AddressInfo).port;
        t.close(() => resolve(p));
      });
    });
    expect(await probe({ port: closed }, 300)).toEqual({
      result: 'failure',
      output: `timeout: failed to connect service "127.0.0.1:${closed}" within 300ms: context deadline exceeded`,
    });
  });
});
