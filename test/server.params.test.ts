// Query parameters read as the API server reads them (apimachinery runtime/conversion.go): a bool is
// false only when absent, "0" or "false" in any case, so the official Python client's `watch=True`,
// `follow=True`, `previous=True`, `timestamps=True`, `stdin=True`, `tty=True` all take effect; an
// int64 that strconv.ParseInt refuses is a 400 with Go's error text. Raw HTTP, with those casings.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boolParam, int64Param, parseGoInt64, wantsPretty } from '../src/server/queryParams.js';
import { newKey, WebSocket } from '../src/server/websocket.js';
import { collectWatch, isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const pods = '/api/v1/namespaces/default/pods';
const q = (s: string) => new URLSearchParams(s);

describe('query parameter parsing (unit)', () => {
  it('booleans: absent, "0" and any casing of "false" are false; everything else, "" and "maybe" included, is true', () => {
    for (const v of ['1', 't', 'T', 'true', 'True', 'TRUE', 'yes', 'maybe', '', 'f', 'F']) expect(boolParam(q(`watch=${v}`), 'watch'), v).toBe(true);
    for (const v of ['0', 'false', 'False', 'FALSE', 'fAlSe']) expect(boolParam(q(`watch=${v}`), 'watch'), v).toBe(false);
    expect(boolParam(q(''), 'watch')).toBe(false);
    // Only the first value counts.
    expect(boolParam(q('watch=0&watch=1'), 'watch')).toBe(false);
  });

  it('int64s as strconv.ParseInt(s, 10, 64), with its error text', () => {
    expect(parseGoInt64('42')).toBe(42);
    expect(parseGoInt64('+7')).toBe(7);
    expect(parseGoInt64('-3')).toBe(-3);
    expect(parseGoInt64('9223372036854775807')).toBe(9223372036854775807);
    for (const bad of ['', ' 1', '1.5', '1e3', '0x10', '1_000', 'abc']) expect(() => parseGoInt64(bad), bad).toThrow(`strconv.ParseInt: parsing ${JSON.stringify(bad)}: invalid syntax`);
    expect(() => parseGoInt64('9223372036854775808')).toThrow('strconv.ParseInt: parsing "9223372036854775808": value out of range');
    expect(int64Param(q('x=5'), 'limit')).toBeUndefined();
    expect(() => int64Param(q('limit='), 'limit')).toThrow('strconv.ParseInt: parsing "": invalid syntax');
  });

  it('pretty is strconv.ParseBool, an unparsable value being false', () => {
    const req = (url: string) => ({ url }) as never;
    for (const v of ['1', 't', 'T', 'true', 'True', 'TRUE']) expect(wantsPretty(req(`/api?pretty=${v}`)), v).toBe(true);
    for (const v of ['0', 'f', 'false', 'maybe', 'yes', '']) expect(wantsPretty(req(`/api?pretty=${v}`)), v).toBe(false);
  });
});

/** One exec session over the Unix socket: what came on stdout/stderr, and the status (channel 3). */
function exec(t: TestAgent, name: string, query: string, input?: (send: (channel: number, data: string | Buffer) => void) => void): Promise<{ http?: number; body?: string; out: string; err: string; status?: any }> {
  return new Promise((resolve, reject) => {
    const headers = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': newKey(), 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' };
    const req = request({ socketPath: t.socket, path: `${pods}/${name}/exec?${query}`, headers });
    const timer = setTimeout(() => reject(new Error(`exec ${query} did not finish`)), 15_000);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ http: res.statusCode, body, out: '', err: '' });
      });
    });
    req.on('upgrade', (_res, socket, head) => {
      const ws = new WebSocket(socket, true, head);
      let out = '';
      let err = '';
      let status: any;
      const send = (channel: number, data: string | Buffer) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
      ws.on('message', (m: Buffer) => {
        if (m[0] === 1) out += m.subarray(1).toString();
        else if (m[0] === 2) err += m.subarray(1).toString();
        else if (m[0] === 3) status = JSON.parse(m.subarray(1).toString());
      });
      ws.on('close', () => {
        clearTimeout(timer);
        resolve({ out, err, status });
      });
      input?.(send);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A GET read to its end, with how long the server took to end it. */
function timedGet(t: TestAgent, path: string): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: t.socket, path, headers: { Accept: 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text, ms: Date.now() - started }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${path} did not end`)));
    req.on('error', reject);
    req.end();
  });
}

function pod(name: string, command: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', command] }], ...spec } };
}

describe('query parameters over HTTP, with the Python client\'s casing', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
    await t.http('POST', pods, { body: pod('shell', 'sleep 3600') });
    await t.http('POST', pods, { body: pod('chatty', 'echo line 1; echo line 2; sleep 0.3; exit 1') });
    await waitForApiPod(t.agent, 'default', 'shell', isRunning);
    await waitForApiPod(t.agent, 'default', 'chatty', (p) => (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
  });
  afterAll(async () => t?.stop());

  it('watch=True (and =maybe, =, =1) is a watch; watch=False, FALSE and 0 a list', async () => {
    for (const v of ['True', 'maybe', '', '1', 't']) {
      const events = await collectWatch(t, `${pods}?watch=${v}&fieldSelector=metadata.name%3Dshell`, (evs) => evs.length >= 1);
      expect(events[0], `watch=${v}`).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'shell' } } });
    }
    for (const v of ['False', 'FALSE', 'false', '0']) {
      const list = await t.http('GET', `${pods}?watch=${v}&fieldSelector=metadata.name%3Dshell`);
      expect(list.json.kind, `watch=${v}`).toBe('PodList');
    }
    const events = await collectWatch(t, '/api/v1/namespaces/default/events?watch=True&fieldSelector=involvedObject.name%3Dshell', (evs) => evs.length >= 1);
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'Event', involvedObject: { name: 'shell' } } });
  });

  it('timeoutSeconds ends a watch (pods and namespaces); a negative one ends it at once; a bad one is a 400', async () => {
    const timed = await timedGet(t, `${pods}?watch=True&timeoutSeconds=1&fieldSelector=metadata.name%3Dshell`);
    expect(timed.status).toBe(200);
    expect(JSON.parse(timed.text.split('\n')[0]!)).toMatchObject({ type: 'ADDED' });
    expect(timed.ms).toBeGreaterThanOrEqual(900);
    expect(timed.ms).toBeLessThan(5000);
    const ns = await timedGet(t, '/api/v1/namespaces?watch=True&timeoutSeconds=1');
    expect(ns.text).toContain('"kube-system"');
    expect(ns.ms).toBeLessThan(5000);
    const now = await timedGet(t, `${pods}?watch=1&timeoutSeconds=-1&fieldSelector=metadata.name%3Dshell`);
    expect(now.text.trim().split('\n')).toHaveLength(1);
    expect(now.ms).toBeLessThan(900);
    for (const [param, text] of [
      ['timeoutSeconds=abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
      ['timeoutSeconds=1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
      ['limit=99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    ]) {
      for (const watch of ['True', 'False']) {
        const r = await t.http('GET', `${pods}?watch=${watch}&${param}`);
        expect(r.json, `${param} watch=${watch}`).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: text, reason: 'BadRequest', code: 400 });
      }
    }
    expect((await t.http('GET', `${pods}?limit=1`)).json.items.length).toBeGreaterThanOrEqual(2);
  });

  it('logs: previous=True, timestamps=True, follow=True; bad integers are a 400, out-of-range ones a 422 for PodLogOptions', async () => {
    expect((await t.http('GET', `${pods}/chatty/log?previous=True`)).text).toBe('line 1\nline 2\n');
    expect((await t.http('GET', `${pods}/chatty/log?previous=True&timestamps=True&tailLines=1`)).text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 2\n$/);
    expect((await t.http('GET', `${pods}/chatty/log?previous=FALSE&timestamps=False&tailLines=1`)).text).toMatch(/^line \d\n$|^$/);

    await t.http('POST', pods, { body: pod('follow', 'echo first; sleep 1; echo second', { restartPolicy: 'Never' }) });
    await waitForApiPod(t.agent, 'default', 'follow', isRunning);
    const followed = await timedGet(t, `${pods}/follow/log?follow=True`);
    expect(followed.text).toBe('first\nsecond\n');
    expect(followed.ms).toBeGreaterThan(500);

    expect((await t.http('GET', `${pods}/chatty/log?tailLines=abc`)).json).toMatchObject({ code: 400, reason: 'BadRequest', message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    const negative = await t.http('GET', `${pods}/chatty/log?tailLines=-1`);
    expect(negative.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'PodLogOptions "chatty" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
      reason: 'Invalid',
      details: { name: 'chatty', kind: 'PodLogOptions', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'tailLines' }] },
      code: 422,
    });
    expect((await t.http('GET', `${pods}/chatty/log?limitBytes=0`)).json.message).toBe('PodLogOptions "chatty" is invalid: limitBytes: Invalid value: 0: must be greater than 0');
    expect((await t.http('GET', `${pods}/chatty/log?sinceSeconds=0`)).json.message).toBe('PodLogOptions "chatty" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0');
  });

  it('exec: stdin=True&tty=True gets a terminal and the input; stdin=True without tty gets a pipe; no stream at all is a 400', async () => {
    const cmd = (args: string[]) => args.map((a) => `command=${encodeURIComponent(a)}`).join('&');
    const tty = await exec(t, 'shell', `stdin=True&stdout=True&tty=True&${cmd(['sh', '-c', 'read x; echo got:$x; tty'])}`, (send) => setTimeout(() => send(0, 'abc\n'), 300));
    expect(tty.out).toContain('got:abc');
    expect(tty.out).toMatch(/\/dev\/pts\/\d+/);
    expect(tty.status).toMatchObject({ status: 'Success' });

    const piped = await exec(t, 'shell', `stdin=True&stdout=True&stderr=True&${cmd(['sh', '-c', 'tr a-z A-Z; echo oops >&2'])}`, (send) => {
      send(0, 'shout\n');
      send(255, Buffer.from([0]));
    });
    expect(piped.out).toBe('SHOUT\n');
    expect(piped.err).toBe('oops\n');

    // stderr=False: what the command writes there goes nowhere, as on a node.
    const quiet = await exec(t, 'shell', `stdout=True&stderr=False&${cmd(['sh', '-c', 'echo out; echo err >&2'])}`);
    expect(quiet.out).toBe('out\n');
    expect(quiet.err).toBe('');

    const none = await exec(t, 'shell', `stdin=False&stdout=0&stderr=FALSE&${cmd(['true'])}`);
    expect(none.http).toBe(400);
    expect(JSON.parse(none.body!)).toMatchObject({ reason: 'BadRequest', message: 'you must specify at least 1 of stdin, stdout, stderr' });
  });

  it('delete: gracePeriodSeconds=abc is a 400; pretty=True indents, pretty=maybe does not', async () => {
    expect((await t.http('DELETE', `${pods}/shell?gracePeriodSeconds=abc`)).json).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    expect(t.agent.kubelet.getPod('default', 'shell')).toBeDefined();
    const pretty = await t.http('GET', `${pods}/shell?pretty=True`);
    expect(pretty.text).toMatch(/^\{\n {2}"kind": "Pod",\n/);
    expect((await t.http('GET', `${pods}/shell?pretty=maybe`)).text).toMatch(/^\{"kind":"Pod",/);
  });
});
