// Projected service account tokens: the token file the kubelet writes into a pod is one the agent's
// TCP API accepts, with what RBAC gives a service account no binding names (discovery), bound to the
// pod; ca.crt is the API's certificate.
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';
import { podDir } from '../src/kubelet/podPaths.js';
import { PLACEHOLDER_TOKEN } from '../src/kubelet/volumes/projectedVolume.js';
import { loadOrCreateToken } from '../src/server/auth.js';
import { issuerFor, ServiceAccountTokens } from '../src/server/serviceAccountTokens.js';
import type { Pod } from '../src/api/types.js';

const USER = 'system:serviceaccount:default:default';

function readerPod(name: string, namespace = 'default') {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'vault', mountPath: '/var/run/vault' }] }],
      // A token for another audience: written, but not one this API takes.
      volumes: [{ name: 'vault', projected: { sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 7200, path: 'token' } }] } }],
    },
  };
}

/** The service account volume's file on the host (what the container sees, bind-mounted). */
const saFile = (t: TestAgent, pod: Pod, file: string) => readFileSync(join(podDir(t.config.stateDir, pod), 'volumes', 'kube-api-access.tinylet', file), 'utf8');
const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

/** A WebSocket upgrade over TLS with a bearer token; the raw reply. */
function upgrade(t: TestAgent, path: string, token: string): Promise<string> {
  const addr = t.agent.server.tcpAddress!;
  return new Promise((resolve, reject) => {
    const s = connect({ host: addr.host, port: addr.port, rejectUnauthorized: false });
    let out = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no reply: ${out}`))), 5000);
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('close', () => (clearTimeout(timer), resolve(out)));
    s.on('error', () => undefined);
    s.write(`GET ${path} HTTP/1.1\r\nHost: tinylet\r\nAuthorization: Bearer ${token}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`);
  });
}

describe('service account tokens on the TCP API', () => {
  let t: TestAgent;
  let pod: Pod;
  let token: string;
  const get = (path: string, tok = token) => t.http('GET', path, { tcp: true, token: tok });

  beforeAll(async () => {
    t = await startTestAgent();
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: readerPod('reader') })).status).toBe(201);
    pod = (await waitForApiPod(t.agent, 'default', 'reader', isRunning))!;
    token = saFile(t, pod, 'token');
  }, 60_000);
  afterAll(async () => t?.stop());

  it('writes a bound JWT, the namespace and the API certificate into the pod', () => {
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'HS256', kid: expect.any(String) });
    const c = claims(token);
    expect(c).toMatchObject({
      aud: ['https://kubernetes.default.svc.cluster.local'],
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: USER,
      'kubernetes.io': { namespace: 'default', pod: { name: 'reader', uid: pod.metadata!.uid }, serviceaccount: { name: 'default' } },
    });
    expect(c.exp - c.iat).toBe(3607);
    expect(c.nbf).toBe(c.iat);
    expect(saFile(t, pod, 'namespace')).toBe('default');
    expect(saFile(t, pod, 'ca.crt')).toBe(readFileSync(join(t.config.stateDir, 'pki', 'apiserver.crt'), 'utf8'));
    expect(saFile(t, pod, 'ca.crt')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('reads discovery, as every authenticated user (system:discovery, system:public-info-viewer)', async () => {
    for (const path of ['/api', '/api/v1', '/apis', '/version', '/openapi/v2', '/apis/discovery.k8s.io/v1', '/healthz', '/livez', '/readyz']) {
      expect([path, (await get(path)).status]).toEqual([path, 200]);
    }
  });

  it('reads nothing of its namespace: no binding gives the default service account more', async () => {
    for (const path of ['/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods/reader', '/api/v1/namespaces/default/pods/reader/log',
      '/api/v1/namespaces/default/services', '/api/v1/namespaces/default/endpoints', '/api/v1/namespaces/default/configmaps',
      '/api/v1/namespaces/default/events', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', '/api/v1/namespaces/default',
      '/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1']) {
      expect([path, (await get(path)).status]).toEqual([path, 403]);
    }
    const list = await get('/api/v1/namespaces/default/pods');
    expect(list.json.message).toBe(`pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "default"`);
    expect((await get('/api/v1/namespaces/default/pods?watch=1')).json.message).toBe(`pods is forbidden: User "${USER}" cannot watch resource "pods" in API group "" in the namespace "default"`);
  });

  it('is refused everything else with the API server\'s 403', async () => {
    const secrets = await get('/api/v1/namespaces/default/secrets');
    expect(secrets.status).toBe(403);
    expect(secrets.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, details: { kind: 'secrets' },
      message: `secrets is forbidden: User "${USER}" cannot list resource "secrets" in API group "" in the namespace "default"`,
    });
    const one = await get('/api/v1/namespaces/default/secrets/db');
    expect(one.json).toMatchObject({ message: `secrets "db" is forbidden: User "${USER}" cannot get resource "secrets" in API group "" in the namespace "default"`, details: { name: 'db', kind: 'secrets' } });
    const post = await t.http('POST', '/api/v1/namespaces/default/pods', { tcp: true, token, body: readerPod('other') });
    expect([post.status, post.json.message]).toEqual([403, `pods is forbidden: User "${USER}" cannot create resource "pods" in API group "" in the namespace "default"`]);
    const del = await t.http('DELETE', '/api/v1/namespaces/default/pods/reader', { tcp: true, token });
    expect([del.status, del.json.message]).toEqual([403, `pods "reader" is forbidden: User "${USER}" cannot delete resource "pods" in API group "" in the namespace "default"`]);
    const other = await get('/api/v1/namespaces/kube-system/pods');
    expect([other.status, other.json.message]).toEqual([403, `pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "kube-system"`]);
    expect((await get('/api/v1/pods')).json.message).toBe(`pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" at the cluster scope`);
    expect((await get('/api/v1/namespaces/kube-system')).json.message).toBe(`namespaces "kube-system" is forbidden: User "${USER}" cannot get resource "namespaces" in API group "" in the namespace "kube-system"`);
    expect((await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')).json).toMatchObject({ code: 403, details: { group: 'metrics.k8s.io', kind: 'pods' } });
    // The kubeconfig holds the admin token: a path, forbidden as the API server words paths.
    const kc = await get('/tinylet/v1/kubeconfig');
    expect([kc.status, kc.json.message, kc.json.details]).toEqual([403, `forbidden: User "${USER}" cannot get path "/tinylet/v1/kubeconfig"`, {}]);
    // exec is admin-only; the admin token still may do everything.
    expect(await upgrade(t, '/api/v1/namespaces/default/pods/reader/exec?command=id&stdout=1', token)).toMatch(/^HTTP\/1\.1 403 [\s\S]*cannot get resource \\"pods\/exec\\"/);
    expect((await t.http('GET', '/api/v1/namespaces/default/secrets', { tcp: true })).status).toBe(200);
  });

  it('refuses tampered, expired and other-audience tokens (401)', async () => {
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims(token), sub: 'system:serviceaccount:default:admin' })).toString('base64url');
    expect((await get('/version', `${h}.${forged}.${s}`)).status).toBe(401);
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    expect((await get('/version', `${h}.${p}.${flip(s![0]!)}${s!.slice(1)}`)).status).toBe(401);
    // The last character's spare bits: another spelling of the same bytes is not the signature either.
    // (43 characters for 32 bytes: the last one is one of AEIM...048, and the next letter decodes alike.)
    const respelt = String.fromCharCode(s!.charCodeAt(s!.length - 1) + 1);
    expect(Buffer.from(`${s!.slice(0, -1)}${respelt}`, 'base64url').equals(Buffer.from(s!, 'base64url'))).toBe(true);
    expect((await get('/version', `${h}.${p}.${s!.slice(0, -1)}${respelt}`)).status).toBe(401);
    const key = Buffer.from(loadOrCreateToken(join(t.config.stateDir, 'sa-signing-key')));
    const lookup = (ns: string, name: string) => t.agent.kubelet.getPod(ns, name);
    const past = new ServiceAccountTokens(key, issuerFor('cluster.local'), lookup, () => Math.floor(Date.now() / 1000) - 4000);
    expect((await get('/version', past.issue(pod, undefined, 3607))).status).toBe(401);
    // The same key and clock make a token the API takes: the 401 above is the expiry's.
    const now = new ServiceAccountTokens(key, issuerFor('cluster.local'), lookup);
    expect((await get('/version', now.issue(pod, undefined, 3607))).status).toBe(200);
    const vault = readFileSync(join(podDir(t.config.stateDir, pod), 'volumes', 'vault', 'token'), 'utf8');
    expect(claims(vault)).toMatchObject({ aud: ['vault'], sub: USER });
    expect(claims(vault).exp - claims(vault).iat).toBe(7200);
    expect((await get('/version', vault)).status).toBe(401);
  });

  it('stops working once its pod is gone, even for a new pod of the same name', async () => {
    expect((await t.http('DELETE', '/api/v1/namespaces/default/pods/reader?gracePeriodSeconds=0')).status).toBe(200);
    await waitForApiPod(t.agent, 'default', 'reader', (p) => p === undefined);
    const gone = await get('/api/v1/namespaces/default/pods');
    expect([gone.status, gone.json.reason]).toEqual([401, 'Unauthorized']);
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: readerPod('reader') })).status).toBe(201);
    expect((await get('/api/v1/namespaces/default/pods')).status).toBe(401);
  }, 30_000);
});

describe('an agent without a TCP API', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent({ apiPort: null });
  });
  afterAll(async () => t?.stop());

  it('writes the placeholder token and an empty ca.crt', async () => {
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: readerPod('quiet') })).status).toBe(201);
    const pod = (await waitForApiPod(t.agent, 'default', 'quiet', isRunning))!;
    expect(saFile(t, pod, 'token')).toBe(PLACEHOLDER_TOKEN);
    expect(saFile(t, pod, 'ca.crt')).toBe('');
  }, 60_000);
});
