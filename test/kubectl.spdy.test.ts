// kubectl 1.20 (SPDY/3.1 only, remotecommand v4) against a real agent: exec with stdin/stdout/stderr
// and exit codes, exec -it through a real terminal, attach, run -i --rm, cp both ways (tar in the
// busybox container), the API's reasons for a wrong -c or a stopped container; the session's edges:
// kubectl killed mid-exec, the pod deleted mid-exec or mid-attach. Then the protocol by hand with a
// small SPDY client (helpers/spdyClient.ts): negotiation, v4/v3/v2/v1 status encodings, resize
// lines, backpressure both ways, refused and flooding streams, a malformed frame, the 30 s
// stream-creation timeout. Real containers, real processes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRunning, KUBECTL, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { writeKubeconfig } from './helpers/kubectl.js';
import { processesMatching } from './helpers/leaks.js';
import { type ClientStream, type SpdyClient, spdyConnect, type UpgradeFailure } from './helpers/spdyClient.js';

const pods = '/api/v1/namespaces/default/pods';

/** The `sleep N` processes themselves (kubectl's and the exec launcher's command lines name them too). */
async function sleeps(n: number): Promise<string[]> {
  return (await processesMatching(`sleep ${n}`)).filter((l) => new RegExp(`^\\d+ sleep ${n}$`).test(l));
}

function pod(name: string, command: string, container: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, ...spec, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command], ...container }] } };
}

describe('kubectl 1.20 exec / attach / cp over SPDY/3.1', () => {
  let t: TestAgent;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[], input?: string | Buffer) => execa(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { reject: false, input, env: { HOME: dir }, timeout: 90_000 });
  const running = async (name: string, command: string, container: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => {
    const r = await t.http('POST', pods, { body: pod(name, command, container, spec) });
    expect(r.status, r.text).toBe(201);
    await waitForApiPod(t.agent, 'default', name, isRunning, 30_000);
  };

  beforeAll(async () => {
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-spdy-'));
    kubeconfig = await writeKubeconfig(t, dir);
    await running('box', 'sleep 3600');
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (t) expect(await processesMatching(`launch --spec ${t.config.stateDir}`)).toEqual([]);
  });

  it('exec: stdout and stderr apart, piped stdin, the exit code and kubectl\'s message for it', async () => {
    const ok = await kubectl(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('out');
    expect(ok.stderr).toBe('err');
    const piped = await kubectl(['exec', '-i', 'box', '--', 'sh', '-c', 'tr a-z A-Z; echo done >&2'], 'hello spdy\nsecond line\n');
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stdout).toBe('HELLO SPDY\nSECOND LINE');
    expect(piped.stderr).toBe('done');
    const failed = await kubectl(['exec', 'box', '--', 'sh', '-c', 'echo partial; exit 3']);
    expect(failed.stdout).toBe('partial');
    expect(failed.stderr).toBe('command terminated with exit code 3');
    expect(failed.exitCode).toBe(3);
    // A megabyte each way: stdin is credited back, output goes out in 64 KiB frames.
    const big = randomBytes(1024 * 1024).toString('base64');
    const echoed = await kubectl(['exec', '-i', 'box', '--', 'sh', '-c', 'wc -c; cat /dev/zero | head -c 2000000 | wc -c >&2'], big);
    expect(echoed.exitCode, echoed.stderr).toBe(0);
    expect(echoed.stdout.trim()).toBe(String(big.length));
    expect(echoed.stderr.trim()).toBe('2000000');
  });

  it('exec -it through a real terminal: the prompt, stty size, a resize, the shell\'s exit code', async () => {
    const term = pty.spawn(KUBECTL, ['--kubeconfig', kubeconfig, 'exec', '-it', 'box', '--', 'sh'], { name: 'xterm', cols: 90, rows: 30, env: { HOME: dir, TERM: 'xterm', PATH: process.env.PATH ?? '' } });
    let out = '';
    term.onData((d) => (out += d));
    const exited = new Promise<number>((r) => term.onExit(({ exitCode }) => r(exitCode)));
    const seen = (text: string) => vi.waitFor(() => expect(out).toContain(text), { timeout: 30_000, interval: 100 });
    await seen('/ # ');
    term.write('stty size; echo h""i\r');
    await seen('hi\r\n');
    await seen('30 90');
    term.resize(110, 40);
    await new Promise((r) => setTimeout(r, 500));
    term.write('stty size\r');
    await seen('40 110');
    term.write('exit 5\r');
    expect(await exited).toBe(5);
  });

  it('attach: output from then on, -i feeds a stdin container, and the container keeps running', async () => {
    await running('att', 'while read l; do echo "echo:$l"; done', { stdin: true });
    const p = execa(KUBECTL, ['--kubeconfig', kubeconfig, 'attach', '-i', 'att'], { reject: false, env: { HOME: dir }, timeout: 60_000 });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stdin!.write('ping\n');
    await vi.waitFor(() => expect(out).toContain('echo:ping\n'), { timeout: 30_000, interval: 100 });
    p.stdin!.write('pong\n');
    await vi.waitFor(() => expect(out).toContain('echo:pong\n'), { timeout: 30_000, interval: 100 });
    p.kill('SIGTERM');
    await p;
    expect(out).toBe('echo:ping\necho:pong\n');
    expect((await t.http('GET', `${pods}/att`)).json.status.phase).toBe('Running');
    // Attached without stdin, the session ends with the container, with its last output.
    await running('ender', 'sleep 2; echo last words; exit 0', {}, { restartPolicy: 'Never' });
    const ended = await kubectl(['attach', 'ender']);
    expect(ended.exitCode, ended.stderr).toBe(0);
    expect(ended.stdout).toContain('last words');
  });

  it('run -i --rm: reads the piped input, prints the output, deletes the pod, exits with the container\'s code', async () => {
    const ok = await kubectl(['run', '-i', '--rm', 'rd', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo got $x'], 'hi\n');
    expect(ok.stdout, ok.stderr).toContain('got hi');
    expect(ok.stdout).toContain('pod "rd" deleted');
    expect(ok.exitCode, ok.stderr).toBe(0);
    // kubectl does not wait for the deletion; the kubelet finishes it (the pod has already stopped).
    await vi.waitFor(async () => expect((await t.http('GET', `${pods}/rd`)).status).toBe(404), { timeout: 20_000, interval: 200 });
    const failed = await kubectl(['run', '-i', '--rm', 'rf', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo got $x; exit 3'], 'there\n');
    expect(failed.stdout, failed.stderr).toContain('got there');
    expect(failed.exitCode, failed.stderr).toBe(3);
  });

  it('cp: a directory into the container and back out, byte for byte', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    const blob = randomBytes(3 * 1024 * 1024);
    writeFileSync(join(src, 'hello.txt'), 'hello from the host\n');
    writeFileSync(join(src, 'sub', 'blob.bin'), blob);
    const up = await kubectl(['cp', src, 'box:/tmp/copied']);
    expect(up.exitCode, up.stderr).toBe(0);
    const listed = await kubectl(['exec', 'box', '--', 'sh', '-c', 'cat /tmp/copied/hello.txt; wc -c < /tmp/copied/sub/blob.bin']);
    expect(listed.stdout).toBe(`hello from the host\n${blob.length}`);
    const back = join(dir, 'back');
    const down = await kubectl(['cp', 'box:/tmp/copied', back]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(readFileSync(join(back, 'hello.txt'), 'utf8')).toBe('hello from the host\n');
    expect(readFileSync(join(back, 'sub', 'blob.bin')).equals(blob)).toBe(true);
  });

  it('errors: a wrong -c, a stopped container, a missing pod give the API\'s reason', async () => {
    const wrong = await kubectl(['exec', 'box', '-c', 'nope', '--', 'true']);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain('container nope is not valid for pod box');
    // kubectl's attach looks the container up in the pod itself before it connects.
    const attachWrong = await kubectl(['attach', 'box', '-c', 'nope']);
    expect(attachWrong.exitCode).toBe(1);
    expect(attachWrong.stderr).toContain('container not found (nope)');
    const missing = await kubectl(['exec', 'ghost', '--', 'true']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('pods "ghost" not found');
    // kubectl 1.20 checks the phase itself for a finished pod; a stopped container of a running pod is the server's answer.
    const r = await t.http('POST', pods, {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'half' }, spec: { terminationGracePeriodSeconds: 0, restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }, { name: 'quick', image: 'busybox', command: ['true'] }] } },
    });
    expect(r.status, r.text).toBe(201);
    await vi.waitFor(async () => expect((await t.http('GET', `${pods}/half`)).json.status.containerStatuses?.find((c: any) => c.name === 'quick')?.state?.terminated).toBeTruthy(), { timeout: 30_000, interval: 200 });
    const stopped = await kubectl(['exec', 'half', '-c', 'quick', '--', 'true']);
    expect(stopped.exitCode).toBe(1);
    expect(stopped.stderr).toContain('container quick is not valid for pod half: it is not running');
  });

  it('kubectl killed mid-exec: the command is killed with the connection; the pod deleted mid-exec or mid-attach ends the session', async () => {
    const p = execa(KUBECTL, ['--kubeconfig', kubeconfig, 'exec', 'box', '--', 'sh', '-c', 'echo started; exec sleep 4711'], { reject: false, env: { HOME: dir }, timeout: 60_000 });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await vi.waitFor(() => expect(out).toContain('started'), { timeout: 30_000, interval: 100 });
    expect(await sleeps(4711)).toHaveLength(1);
    p.kill('SIGKILL');
    await p;
    await vi.waitFor(async () => expect(await sleeps(4711)).toEqual([]), { timeout: 15_000, interval: 200 });

    await running('doomed', 'sleep 3600');
    const q = execa(KUBECTL, ['--kubeconfig', kubeconfig, 'exec', 'doomed', '--', 'sh', '-c', 'echo started; exec sleep 4712'], { reject: false, env: { HOME: dir }, timeout: 60_000 });
    let said = '';
    q.stdout!.on('data', (d: Buffer) => (said += d.toString()));
    await vi.waitFor(() => expect(said).toContain('started'), { timeout: 30_000, interval: 100 });
    expect((await t.http('DELETE', `${pods}/doomed?gracePeriodSeconds=0`)).status).toBe(200);
    const ended = await q;
    expect(ended.exitCode).toBe(137);
    expect(ended.stderr).toContain('command terminated with exit code 137');
    expect(await sleeps(4712)).toEqual([]);
    // An attach to a pod that is deleted ends with the container.
    await running('gone', 'echo attached-output-follows; while sleep 1; do echo tick; done');
    const a = execa(KUBECTL, ['--kubeconfig', kubeconfig, 'attach', 'gone'], { reject: false, env: { HOME: dir }, timeout: 60_000 });
    let ticks = '';
    a.stdout!.on('data', (d: Buffer) => (ticks += d.toString()));
    await vi.waitFor(() => expect(ticks).toContain('tick'), { timeout: 30_000, interval: 100 });
    expect((await t.http('DELETE', `${pods}/gone?gracePeriodSeconds=0`)).status).toBe(200);
    const detached = await a;
    expect(detached.timedOut).toBe(false);
    expect(detached.exitCode, detached.stderr).toBe(0);
    // The agent serves on: a new exec works.
    expect((await kubectl(['exec', 'box', '--', 'echo', 'still'])).stdout).toBe('still');
  });

  describe('the remotecommand protocol by hand', () => {
    const connect = async (query: string, protocols: string[]) => {
      const c = await spdyConnect(t.socket, `${pods}/box/exec?${query}`, protocols);
      if (!('open' in c)) throw new Error(`HTTP ${c.status}: ${c.body}`);
      return c;
    };
    // A client that opens one of the two streams it must open, started first, checked last: the kubelet's 30 s stream-creation timeout.
    let lingering: Promise<{ seconds: number; error: string }>;
    beforeAll(async () => {
      const started = Date.now();
      const c = await connect('command=touch&command=/tmp/never-ran&stdout=true', ['v4.channel.k8s.io']);
      const error = await c.open({ streamType: 'error' });
      lingering = c.closed.then(async () => ({ seconds: (Date.now() - started) / 1000, error: await error.ended }));
    });
    const refused = async (protocols: string[]) => (await spdyConnect(t.socket, `${pods}/box/exec?command=true&stdout=true`, protocols)) as UpgradeFailure;
    /** The streams kubectl opens, in its order (error first). */
    const open = async (c: SpdyClient, types: string[]) => {
      const out: Record<string, ClientStream> = {};
      for (const type of types) out[type] = await c.open({ streamType: type });
      return out;
    };

    it('handshake: the first offered protocol the server speaks is named in the 101; no offer is 400, nothing in common 403', async () => {
      const c = await connect('command=true&stdout=true', ['v9.channel.k8s.io', 'v3.channel.k8s.io', 'v4.channel.k8s.io']);
      expect(c.headers['x-stream-protocol-version']).toBe('v3.channel.k8s.io');
      expect(c.headers.upgrade).toBe('SPDY/3.1');
      expect(c.headers.connection).toBe('Upgrade');
      c.close();
      const none = await refused([]);
      expect(none.status).toBe(400);
      expect(JSON.parse(none.body).message).toBe('unable to upgrade: X-Stream-Protocol-Version is required');
      const other = await refused(['v9.channel.k8s.io']);
      expect(other.status).toBe(403);
      expect(JSON.parse(other.body).message).toBe('unable to upgrade: unable to negotiate protocol: client supports [v9.channel.k8s.io], server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]');
    });

    it('v4: stdin\'s FIN is the command\'s EOF; the Status JSON on the error stream; every stream ends with FIN', async () => {
      const c = await connect('command=sh&command=-c&command=cat;echo%20bye%20>%262&stdin=true&stdout=true&stderr=true', ['v4.channel.k8s.io']);
      const s = await open(c, ['error', 'stdin', 'stdout', 'stderr']);
      s.stdin!.write('abc ');
      s.stdin!.write('def', true);
      expect(await s.error!.ended).toBe('fin');
      expect(JSON.parse(s.error!.text())).toEqual({ metadata: {}, status: 'Success' });
      expect(await s.stdout!.ended).toBe('fin');
      expect(await s.stderr!.ended).toBe('fin');
      expect(s.stdout!.text()).toBe('abc def');
      expect(s.stderr!.text()).toBe('bye\n');
      c.close();
      const failed = await connect('command=sh&command=-c&command=exit%204&stdout=true', ['v4.channel.k8s.io']);
      const f = await open(failed, ['error', 'stdout']);
      await f.error!.ended;
      expect(JSON.parse(f.error!.text())).toEqual({
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: error executing command [sh -c exit 4], exit code 4',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '4' }] },
      });
      failed.close();
    });

    it('v3 and v2 write a failure as text and success as nothing; channel.k8s.io resets the error stream', async () => {
      for (const protocol of ['v3.channel.k8s.io', 'v2.channel.k8s.io']) {
        const c = await connect('command=sh&command=-c&command=exit%204&stdout=true', [protocol]);
        const s = await open(c, ['error', 'stdout']);
        expect(await s.error!.ended).toBe('fin');
        expect(s.error!.text()).toBe('command terminated with non-zero exit code: error executing command [sh -c exit 4], exit code 4');
        c.close();
        const ok = await connect('command=echo&command=fine&stdout=true', [protocol]);
        const o = await open(ok, ['error', 'stdout']);
        expect(await o.stdout!.ended).toBe('fin');
        expect(await o.error!.ended).toBe('fin');
        expect([o.stdout!.text(), o.error!.text()]).toEqual(['fine\n', '']);
        ok.close();
      }
      const v1 = await connect('command=echo&command=old&stdout=true', ['channel.k8s.io']);
      const s = await open(v1, ['error', 'stdout']);
      expect(await s.error!.ended).toBe('reset');
      expect(await s.stdout!.ended).toBe('fin');
      expect(s.stdout!.text()).toBe('old\n');
      v1.close();
    });

    it('a TTY: one output stream, sizes from JSON lines on the resize stream (split across frames, junk ignored)', async () => {
      const c = await connect('command=sh&stdin=true&stdout=true&stderr=true&tty=true', ['v4.channel.k8s.io']);
      // No stderr stream with a terminal: the session starts with error, stdin, stdout and resize.
      const s = await open(c, ['error', 'stdin', 'stdout', 'resize']);
      s.resize!.write('{"Width":101,"Hei');
      s.resize!.write('ght":33}\nnot json\n{"Width":-1,"Height":5}\n');
      s.stdin!.write('stty size; exit 6\n');
      expect(await s.error!.ended).toBe('fin');
      expect(s.stdout!.text()).toContain('33 101');
      expect(JSON.parse(s.error!.text()).details.causes[0].message).toBe('6');
      c.close();
    });

    it('backpressure both ways: a client that stops reading holds the command back, a command that does not read holds the client\'s input back', async () => {
      const bytes = 50_000_000;
      const c = await connect(`command=sh&command=-c&command=head%20-c%20${bytes}%20/dev/zero;%20touch%20/tmp/finished&stdout=true`, ['v4.channel.k8s.io']);
      const s = await open(c, ['error', 'stdout']);
      c.socket.pause();
      await new Promise((r) => setTimeout(r, 2000));
      // The agent buffers a socket's worth, not 50 MB: the command is still writing.
      expect((await kubectl(['exec', 'box', '--', 'sh', '-c', 'test -e /tmp/finished && echo finished || echo held'])).stdout).toBe('held');
      const resumed = Date.now();
      c.socket.resume();
      expect(await s.stdout!.ended).toBe('fin');
      const seconds = (Date.now() - resumed) / 1000;
      console.log(`kubectl-style exec over SPDY: ${bytes / 1e6} MB of stdout in ${seconds.toFixed(2)} s = ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`);
      expect(s.stdout!.chunks.reduce((n, b) => n + b.length, 0)).toBe(bytes);
      await s.error!.ended;
      expect(JSON.parse(s.error!.text()).status).toBe('Success');
      c.close();

      // The other way: input the command does not read yet stays in the client's socket, not the agent.
      const input = 20_000_000;
      const slow = await connect('command=sh&command=-c&command=sleep%206;%20wc%20-c&stdin=true&stdout=true', ['v4.channel.k8s.io']);
      const w = await open(slow, ['error', 'stdin', 'stdout']);
      const chunk = Buffer.alloc(1_000_000, 0x61);
      for (let i = 0; i < input / chunk.length; i++) w.stdin!.write(chunk, i === input / chunk.length - 1);
      await new Promise((r) => setTimeout(r, 4000));
      expect(slow.socket.writableLength).toBeGreaterThan(input / 2);
      expect(await w.stdout!.ended).toBe('fin');
      expect(w.stdout!.text().trim()).toBe(String(input));
      slow.close();
    });

    it('a stream past the expected ones is refused, a flood of unknown ones ends the connection; a malformed frame ends that connection and its command only', async () => {
      const c = await connect('command=sh&command=-c&command=echo%20up;%20exec%20sleep%204713&stdout=true', ['v4.channel.k8s.io']);
      const s = await open(c, ['error', 'stdout']);
      await vi.waitFor(() => expect(s.stdout!.text()).toBe('up\n'), { timeout: 20_000, interval: 50 });
      const extra = await c.open({ streamType: 'stdout' });
      expect(await extra.ended).toBe('reset');
      expect(await sleeps(4713)).toHaveLength(1);
      // A control frame of SPDY version 2: the session answers GOAWAY and closes the connection.
      c.raw(Buffer.from('8002000100000000', 'hex'));
      await c.goaway;
      await c.closed;
      await vi.waitFor(async () => expect(await sleeps(4713)).toEqual([]), { timeout: 15_000, interval: 200 });
      expect((await kubectl(['exec', 'box', '--', 'echo', 'still'])).stdout).toBe('still');
      // Streams of unknown types get their replies, as from the kubelet, but not without end.
      const flood = await connect('command=true&stdout=true', ['v4.channel.k8s.io']);
      const outcomes: string[] = [];
      for (let i = 0; i < 20 && outcomes.at(-1) !== 'gone'; i++) {
        const st = await flood.open({ streamType: `bogus-${i}` });
        outcomes.push(await Promise.race([st.ended, st.replied.then(() => 'replied')]));
      }
      expect(outcomes.slice(0, 16)).toEqual(Array(16).fill('replied'));
      await flood.goaway;
      await flood.closed;
    });

    it('a client that does not open every stream it must is disconnected after 30 s, and nothing ran', async () => {
      const { seconds, error } = await lingering;
      expect(seconds).toBeGreaterThanOrEqual(29.5);
      expect(seconds).toBeLessThan(45);
      expect(error).toBe('gone');
      expect((await kubectl(['exec', 'box', '--', 'sh', '-c', 'test -e /tmp/never-ran && echo ran || echo not-run'])).stdout).toBe('not-run');
    }, 60_000);
  });
});
