// Containers with stdin (and stdinOnce) through the agent's API: the container's stdin is a pipe the
// runtime holds open, /dev/null without `stdin: true`; pods/attach over WebSocket (v5 and v4) gives
// the output from the moment of the attach and feeds the container's stdin; stdinOnce closes it when
// the first attach ends. Real containers, a raw WebSocket client over the agent's Unix socket.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newKey, WebSocket } from '../src/server/websocket.js';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { processesMatching } from './helpers/leaks.js';

const pods = '/api/v1/namespaces/default/pods';

interface Attached {
  out: () => string;
  err: () => string;
  status: () => any;
  closed: Promise<void>;
  send: (channel: number, data: string | Buffer) => void;
  close: () => void;
}

/** Opens pods/{name}/attach; resolves with the session, or rejects with the HTTP error body. */
function attach(t: TestAgent, name: string, query: string, protocol = 'v5.channel.k8s.io', upgrade = 'websocket'): Promise<Attached> {
  return new Promise((resolve, reject) => {
    const headers = { Connection: 'Upgrade', Upgrade: upgrade, 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': newKey(), 'Sec-WebSocket-Protocol': protocol };
    const req = request({ socketPath: t.socket, path: `${pods}/${name}/attach?${query}`, headers });
    req.setTimeout(15_000, () => req.destroy(new Error(`attach ${query} got no answer`)));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { code: res.statusCode, body: JSON.parse(body) })));
    });
    req.on('upgrade', (_res, socket, head) => {
      const ws = new WebSocket(socket, true, head);
      let out = '';
      let err = '';
      let status: any;
      ws.on('message', (m: Buffer) => {
        if (m[0] === 1) out += m.subarray(1).toString();
        else if (m[0] === 2) err += m.subarray(1).toString();
        else if (m[0] === 3) status = JSON.parse(m.subarray(1).toString());
      });
      const closed = new Promise<void>((r) => ws.on('close', () => r()));
      resolve({
        out: () => out,
        err: () => err,
        status: () => status,
        closed,
        send: (channel, data) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)])),
        close: () => ws.close(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function pod(name: string, command: string, container: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command], ...container }] } };
}

const logOf = async (t: TestAgent, name: string) => (await t.http('GET', `${pods}/${name}/log`)).text;
const phaseOf = async (t: TestAgent, name: string) => (await t.http('GET', `${pods}/${name}`)).json.status?.phase;
const waitFor = (fn: () => unknown) => vi.waitFor(fn, { timeout: 15_000, interval: 100 });

describe('stdin containers and pods/attach', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
    await t.http('POST', pods, { body: pod('echoer', 'echo before-attach; while read l; do echo "echo:$l"; echo "err:$l" >&2; done; echo eof-seen; sleep 36017', { stdin: true }) });
    await t.http('POST', pods, { body: pod('once', 'read l; echo "got:$l"; cat >/dev/null; echo eof-seen; sleep 36017', { stdin: true, stdinOnce: true }) });
    await t.http('POST', pods, { body: pod('nostdin', 'cat; echo eof-at-once; sleep 36017') });
    for (const n of ['echoer', 'once', 'nostdin']) await waitForApiPod(t.agent, 'default', n, isRunning);
  }, 60_000);
  afterAll(async () => {
    if (!t) return;
    await t.stop();
    // Nothing outlives the agent: no container, no launcher (its command line names the state dir).
    expect(await processesMatching('sleep 36017')).toEqual([]);
    expect(await processesMatching(`launch --spec ${t.config.stateDir}`)).toEqual([]);
  });

  it('without stdin the container reads /dev/null: EOF at once', async () => {
    await waitFor(async () => expect(await logOf(t, 'nostdin')).toBe('eof-at-once\n'));
  });

  it('attach (v5): output from the attach on, input to stdin; stdin stays open across attaches; several at once', async () => {
    await waitFor(async () => expect(await logOf(t, 'echoer')).toBe('before-attach\n'));
    const a = await attach(t, 'echoer', 'stdin=true&stdout=true&stderr=true');
    const watcher = await attach(t, 'echoer', 'stdout=true', 'v4.channel.k8s.io');
    a.send(0, 'one\n');
    await waitFor(() => expect(a.out()).toBe('echo:one\n'));
    await waitFor(() => expect(a.err()).toBe('err:one\n'));
    await waitFor(() => expect(watcher.out()).toBe('echo:one\n'));
    // v5's close of stdin: not a stdinOnce container, so its stdin stays open.
    a.send(255, Buffer.from([0]));
    a.close();
    await a.closed;
    const b = await attach(t, 'echoer', 'stdin=1&stdout=1', 'v4.channel.k8s.io');
    b.send(0, 'two\n');
    await waitFor(() => expect(b.out()).toBe('echo:two\n'));
    expect(b.out()).not.toContain('before-attach');
    await waitFor(() => expect(watcher.out()).toBe('echo:one\necho:two\n'));
    b.close();
    watcher.close();
    await Promise.all([b.closed, watcher.closed]);
    await new Promise((r) => setTimeout(r, 300));
    // Ending the attaches neither stopped the container nor closed its stdin.
    expect(await phaseOf(t, 'echoer')).toBe('Running');
    expect(await logOf(t, 'echoer')).not.toContain('eof-seen');
    expect(await logOf(t, 'echoer')).toContain('echo:two\n');
  });

  it('stdinOnce: the container sees EOF when the first attach ends, and keeps running', async () => {
    const a = await attach(t, 'once', 'stdin=true&stdout=true&stderr=true');
    a.send(0, 'hello\n');
    await waitFor(() => expect(a.out()).toBe('got:hello\n'));
    a.close();
    await a.closed;
    await waitFor(async () => expect(await logOf(t, 'once')).toBe('got:hello\neof-seen\n'));
    expect(await phaseOf(t, 'once')).toBe('Running');
  });

  it('an attach ends with a Success status when the container exits', async () => {
    await t.http('POST', pods, { body: pod('reader', 'read x; echo "got $x"; exit 3', { stdin: true, stdinOnce: true }) });
    await waitForApiPod(t.agent, 'default', 'reader', isRunning);
    const a = await attach(t, 'reader', 'stdin=true&stdout=true&stderr=true');
    a.send(0, 'hi\n');
    await a.closed;
    expect(a.out()).toBe('got hi\n');
    expect(a.status()).toEqual({ metadata: {}, status: 'Success' });
    await waitFor(async () => expect((await t.http('GET', `${pods}/reader`)).json.status.containerStatuses[0].state.terminated?.exitCode).toBe(3));
  });

  it('tty: true: PID 1 gets a terminal of its own devpts as controlling tty; attach resizes it; output goes to the log', async () => {
    await t.http('POST', pods, { body: pod('term', 'exec sh', { stdin: true, stdinOnce: true, tty: true }) });
    await waitForApiPod(t.agent, 'default', 'term', isRunning);
    const a = await attach(t, 'term', 'stdin=true&stdout=true&tty=true');
    a.send(4, JSON.stringify({ Width: 101, Height: 33 }));
    await new Promise((r) => setTimeout(r, 200));
    a.send(0, 'stty size; tty; read -r _ _ _ _ pgrp sid _ tpgid _ </proc/1/stat; echo "pgrp=$pgrp sid=$sid fg=$tpgid"; echo sum=$((40+2))\n');
    await waitFor(() => expect(a.out()).toContain('sum=42'));
    expect(a.out()).toContain('33 101');
    expect(a.out()).toMatch(/\/dev\/pts\/0/);
    // PID 1 leads the terminal's session and is its foreground process group: job control is on.
    expect(a.out()).toContain("pgrp=1 sid=1 fg=1");
    expect(a.out()).not.toContain('job control');
    expect(a.err()).toBe('');
    a.send(0, 'exit 4\n');
    await a.closed;
    expect(a.status()).toEqual({ metadata: {}, status: 'Success' });
    await waitFor(async () => expect((await t.http('GET', `${pods}/term`)).json.status.containerStatuses[0].state.terminated?.exitCode).toBe(4));
    const log = await t.http('GET', `${pods}/term/log`);
    expect(log.text, JSON.stringify(log.json)).toContain('sum=42');
  });

  it('errors: unknown container, a stopped one, a TTY the container lacks, and SPDY after resolving the container', async () => {
    const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('attached'); }, (e: { code: number; body: any }) => e);
    const wrong = await failure(attach(t, 'echoer', 'container=nope&stdout=true'));
    expect(wrong.code).toBe(400);
    expect(wrong.body.message).toBe('container nope is not valid for pod echoer');
    // kubectl 1.29+ falls back to SPDY after a failed WebSocket upgrade: that answer must carry the same reason.
    const spdyWrong = await failure(attach(t, 'echoer', 'container=nope&stdout=true', 'v4.channel.k8s.io', 'SPDY/3.1'));
    expect(spdyWrong.body.message).toBe('container nope is not valid for pod echoer');
    // With the container right, SPDY itself is served; without X-Stream-Protocol-Version it is httpstream's refusal.
    const spdy = await failure(attach(t, 'echoer', 'stdout=true', 'v4.channel.k8s.io', 'SPDY/3.1'));
    expect(spdy.body.message).toBe('unable to upgrade: X-Stream-Protocol-Version is required');
    const tty = await failure(attach(t, 'echoer', 'stdin=true&stdout=true&tty=true'));
    expect(tty.body.message).toBe('Unable to use a TTY - container app did not allocate one');
    const none = await failure(attach(t, 'echoer', 'stdin=false'));
    expect(none.body.message).toBe('you must specify at least 1 of stdin, stdout, stderr');
    await waitFor(async () => expect(await phaseOf(t, 'reader')).toBe('Failed'));
    const stopped = await failure(attach(t, 'reader', 'stdout=true'));
    expect(stopped.body.message).toContain('container app is not valid for pod reader');
    const missing = await failure(attach(t, 'ghost', 'stdout=true'));
    expect(missing.code).toBe(404);
  });
});
