// kubectl auth can-i against SelfSubjectAccessReview / SelfSubjectRulesReview
// (handlers/accessReviews.ts): the admin may do everything; a pod's service account token what RBAC's
// bootstrap roles give every authenticated user (serviceAccountAccess.ts): discovery and the self
// reviews, on kubectl 1.20 and 1.32 (protobuf bodies).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Pod } from '../src/api/types.js';
import { podDir } from '../src/kubelet/podPaths.js';
import { isRunning, KUBECTL, startTestAgent, waitForApiPod, type TestAgent } from './helpers/agent.js';

const KUBECTL_132 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

describe('SelfSubjectAccessReview over HTTP', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  });
  afterAll(async () => t?.stop());

  it('answers the admin yes, lists its rules, and refuses a review without attributes', async () => {
    const r = await t.http('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'delete', resource: 'secrets', namespace: 'x' } } },
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ kind: 'SelfSubjectAccessReview', status: { allowed: true } });
    const rules = await t.http('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { body: { kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } } });
    expect(rules.json.status).toEqual({ resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false });
    const bad = await t.http('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: { kind: 'SelfSubjectAccessReview', spec: {} } });
    expect(bad.status).toBe(422);
    expect((await t.http('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status).toBe(405);
    const disc = (await t.http('GET', '/apis/authorization.k8s.io/v1')).json;
    expect(disc.resources.map((x: any) => x.name)).toEqual(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']);
    expect((await t.http('GET', '/apis')).json.groups.map((g: any) => g.name)).toContain('authorization.k8s.io');
  });

  it('refuses protobuf bodies of kinds it does not decode with a 415 Status', async () => {
    const r = await t.http('POST', '/api/v1/namespaces/default/pods', { body: 'k8s\0\n\x02v1', contentType: 'application/vnd.kubernetes.protobuf' });
    expect(r.status).toBe(415);
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'UnsupportedMediaType', code: 415 });
  });
});

describe.each([
  { version: '1.20', bin: KUBECTL },
  { version: '1.32', bin: KUBECTL_132 },
])('kubectl $version auth can-i', ({ bin }) => {
  const present = existsSync(bin);
  let t: TestAgent;
  let dir: string;
  const kc = (user: string) => join(dir, `kubeconfig-${user}`);
  const kubectl = (user: string, args: string[]) => execa(bin, ['--kubeconfig', kc(user), ...args], { reject: false, env: { HOME: dir }, timeout: 60_000 });

  beforeAll(async () => {
    if (!present) return;
    t = await startTestAgent();
    dir = mkdtempSync(join(tmpdir(), 'tinylet-canI-'));
    const info = (await t.http('GET', '/tinylet/v1/kubeconfig')).json;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] } };
    expect((await t.http('POST', '/api/v1/namespaces/default/pods', { body: pod })).status).toBe(201);
    const running = (await waitForApiPod(t.agent, 'default', 'reader', isRunning)) as Pod;
    const saToken = readFileSync(join(podDir(t.config.stateDir, running), 'volumes', 'kube-api-access.tinylet', 'token'), 'utf8');
    for (const [user, token] of [['admin', info.token], ['sa', saToken]]) {
      writeFileSync(
        kc(user),
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'tinylet', cluster: { server: info.server, 'certificate-authority-data': info.certificateAuthorityData } }],
          users: [{ name: user, user: { token } }],
          contexts: [{ name: 'tinylet', context: { cluster: 'tinylet', user, namespace: 'default' } }],
          'current-context': 'tinylet',
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!present)('the admin may do everything', async () => {
    const r = await kubectl('admin', ['auth', 'can-i', 'create', 'pods']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('yes');
    expect((await kubectl('admin', ['auth', 'can-i', 'delete', 'secrets', '-n', 'kube-system'])).stdout).toBe('yes');
    expect((await kubectl('admin', ['auth', 'can-i', '*', '*'])).stdout).toBe('yes');
    const list = await kubectl('admin', ['auth', 'can-i', '--list']);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n\*\.\*\s+\[\]\s+\[\]\s+\[\*\]\n\s+\[\*\]\s+\[\]\s+\[\*\]/);
  });

  it.skipIf(!present)('a service account no binding names may use discovery, nothing more', async () => {
    const list1 = await kubectl('sa', ['auth', 'can-i', 'list', 'pods']);
    expect([list1.stdout, list1.exitCode]).toEqual(['no', 1]);
    expect((await kubectl('sa', ['auth', 'can-i', 'get', 'pods/log'])).stdout).toBe('no');
    expect((await kubectl('sa', ['auth', 'can-i', 'watch', 'endpointslices.discovery.k8s.io'])).stdout).toBe('no');
    expect((await kubectl('sa', ['auth', 'can-i', 'get', 'namespaces/default'])).stdout).toBe('no');
    const create = await kubectl('sa', ['auth', 'can-i', 'create', 'pods']);
    expect(create.stdout).toBe('no');
    expect(create.exitCode).toBe(1);
    expect((await kubectl('sa', ['auth', 'can-i', 'get', 'secrets'])).stdout).toBe('no');
    expect((await kubectl('sa', ['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'])).stdout).toBe('no');
    expect((await kubectl('sa', ['auth', 'can-i', 'get', '/version'])).stdout).toBe('yes');
    expect((await kubectl('sa', ['auth', 'can-i', 'get', '/tinylet/v1/kubeconfig'])).stdout).toBe('no');
    const list = await kubectl('sa', ['auth', 'can-i', '--list']);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    expect(list.stdout).toMatch(/\[\/version\]\s+\[\]\s+\[get\]/);
    expect(list.stdout).toMatch(/\[\/apis\/\*\]\s+\[\]\s+\[get\]/);
    expect(list.stdout).not.toMatch(/pods|namespaces|secrets/);
  });
});
