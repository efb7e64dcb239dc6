import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net, { type AddressInfo } from 'node:net';
import http from 'node:http';
import { httpRunner } from '../src/kubelet/prober/httpRunner.js';
import type { ProbeTarget } from '../src/kubelet/prober/types.js';

// The HTTP runner speaks HTTP/1.1 itself: these servers answer with raw bytes, the way odd servers do.
const target: ProbeTarget = { pod: () => ({ status: { podIP: '127.0.0.1' } }), container: { name: 'app' }, pid: 0, specPath: '', env: {}, startedAt: Date.now() };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const answers: Record<string, (s: net.Socket) => Promise<void> | void> = {
  // The head in pieces, then a body; the connection stays open (keep-alive ignored): Content-Length ends it.
  '/split': async (s) => {
    s.write('HTTP/1.1 20');
    await sleep(20);
    s.write('0 OK\r\nContent-Le');
    await sleep(20);
    s.write('ngth: 5\r\n\r\nhel');
    await sleep(20);
    s.write('lo');
  },
  '/continue': (s) => void s.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'),
  // Chunked, left open: the last chunk ends it.
  '/chunked': (s) => void s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
  '/chunked-away': (s) =>
    void s.end(`HTTP/1.1 302 Found\r\nLocation: http://localhost:1/x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`),
  '/no-length': (s) => void s.end('HTTP/1.0 200 OK\r\n\r\nbody until close'),
  '/eof': (s) => void s.end(),
  '/short': (s) => void s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'),
  '/garbage': (s) => void s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'),
  '/no-content': (s) => void s.write('HTTP/1.1 204 No Content\r\n\r\n'),
};

let server: net.Server;
let port = 0;
beforeAll(async () => {
  server = net.createServer((s) => {
    s.on('error', () => {});
    let req = '';
    s.on('data', (d) => {
      req += d;
      if (!req.includes('\r\n\r\n')) return;
      const path = req.split(' ')[1];
      void answers[path]?.(s);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = (path: string) => httpRunner({ port, path }, target, 2000)();

describe('http probe wire handling', () => {
  it('reads a head split over packets and stops at Content-Length', async () => {
    expect(await get('/split')).toEqual({ result: 'success', output: '' });
  });
  it('skips 1xx answers', async () => {
    expect((await get('/continue')).output).toBe('HTTP probe failed with statuscode: 503');
  });
  it('ends a chunked body at its last chunk and decodes it for a warning', async () => {
    expect((await get('/chunked')).result).toBe('success');
    expect(await get('/chunked-away')).toEqual({ result: 'success', warning: true, output: 'Probe terminated redirects, Response body: hello world' });
  });
  it('reads a body without length to the close; 204 has none', async () => {
    expect((await get('/no-length')).result).toBe('success');
    expect((await get('/no-content')).result).toBe('success');
  });
  it('reports a close before any answer as EOF, a short body as an error, garbage as malformed', async () => {
    expect(await get('/eof')).toEqual({ result: 'failure', output: `Get "http://127.0.0.1:${port}/eof": EOF` });
    expect(await get('/short')).toEqual({ result: 'unknown', output: 'unexpected EOF' });
    expect((await get('/garbage')).output).toBe(
      `Get "http://127.0.0.1:${port}/garbage": net/http: HTTP/1.x transport connection broken: malformed HTTP response "SSH-2.0-OpenSSH_9.2"`,
    );
  });
  it('fails on a header Go would refuse to send', async () => {
    const out = await httpRunner({ port, path: '/split', httpHeaders: [{ name: 'X-Bad', value: 'a\r\nInjected: 1' }] }, target, 1000)();
    expect(out).toEqual({ result: 'failure', output: `Get "http://127.0.0.1:${port}/split": net/http: invalid header field value for "X-Bad"` });
  });
  it('answers HTTPS to a plain HTTP server like Go', async ({ onTestFinished }) => {
    const plain = http.createServer((_q, r) => r.end('ok'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => plain.close(() => r())));
    const p = (plain.address() as AddressInfo).port;
    expect(await httpRunner({ port: p, scheme: 'HTTPS' }, target, 1000)()).toEqual({
      result: 'failure',
      output: `Get "https://127.0.0.1:${p}/": http: server gave HTTP response to HTTPS client`,
    });
  });
});
