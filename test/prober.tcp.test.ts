import { describe, expect, it } from 'vitest';
import net, { type AddressInfo } from 'node:net';
import type { Container, TCPSocketAction } from '../src/api/types.js';
import { tcpRunner } from '../src/kubelet/prober/tcpRunner.js';
import type { ProbeTarget } from '../src/kubelet/prober/types.js';

function target(container: Partial<Container> = {}, podIP?: string): ProbeTarget {
  return { pod: () => ({ status: { podIP } }), container: { name: 'app', ...container }, pid: 0, specPath: '', env: {}, startedAt: Date.now() };
}

const probe = (action: TCPSocketAction, container?: Partial<Container>, podIP = '127.0.0.1') => tcpRunner(action, target(container, podIP), 1000)();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

describe('tcp probe runner', () => {
  it('fails while nothing listens, succeeds once a server opens, and closes its connection at once', async ({ onTestFinished }) => {
    const port = await freePort();
    expect(await probe({ port })).toEqual({ result: 'failure', output: `dial tcp 127.0.0.1:${port}: connect: connection refused` });

    let closedByProbe = 0;
    const srv = net.createServer((s) => s.on('end', () => closedByProbe++).resume());
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => srv.close(() => r())));
    expect(await probe({ port })).toEqual({ result: 'success', output: '' });
    for (let i = 0; i < 50 && closedByProbe === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closedByProbe).toBe(1);
  });

  it('resolves named ports and uses tcpSocket.host; no pod IP means loopback', async ({ onTestFinished }) => {
    const srv = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => srv.close(() => r())));
    const port = (srv.address() as AddressInfo).port;
    expect((await probe({ port: 'db' }, { ports: [{ name: 'db', containerPort: port }] })).result).toBe('success');
    expect((await probe({ port, host: '127.0.0.1' }, {}, '10.255.255.1')).result).toBe('success');
    expect((await probe({ port }, {}, '')).result).toBe('success');
    expect(await probe({ port: 'nope' })).toEqual({ result: 'unknown', output: 'port "nope" not found' });
    expect(await probe({ port: 70000 })).toEqual({ result: 'unknown', output: 'invalid port number: 70000' });
  });
});
