// apply/create/delete -f with kinds tinylet does not serve (refused, --lenient, --as-pod), and
// -o json on failure for apply, create and get, against a real agent.
import { describe, expect, it } from 'vitest';
import { agentWithFiles, cli } from './helpers/agent.js';

const POD = (name: string, labels = `{app: ${name}}`) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, labels: ${labels}}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - {name: c, image: busybox, command: [sleep, '3600']}\n`;
// A kind tinylet does not serve (Services, ConfigMaps... are: see cli.objects.test.ts).
const POLICY = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: front}\nspec:\n  podSelector: {matchLabels: {app: shop}}\n';
const SERVES = 'tinylet serves Pods, Namespaces, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: web, image: busybox, command: [sleep, '3600']}
`;

describe('tinylet apply/create/delete -f with kinds tinylet does not serve', () => {
  const ctx = agentWithFiles('tinylet-cli-inputs-');
  const { file } = ctx;

  it('apply refuses the whole file by default: nothing applied, each object named, exit 1', async () => {
    const f = file('shop.yaml', `${POD('shop')}---\n${POLICY}`);
    const r = await cli(ctx.t, ['apply', '-f', f]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `error: nothing was applied: tinylet does not serve these objects:\n  * ${f}#2 (NetworkPolicy front): kind "NetworkPolicy" is not served yet (${SERVES}): no network policy is enforced: the pods of this input accept traffic from any pod and from the host; --lenient skips it`,
    );
    expect((await cli(ctx.t, ['get', 'pods', '-o', 'name'])).stdout).toBe('');
    const json = await cli(ctx.t, ['apply', '-f', f, '-o', 'json']);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ errors: [expect.objectContaining({ source: f, object: `${f}#2 (NetworkPolicy front)`, reason: 'unsupported' })] });
  });

  it('apply --lenient skips them with a warning that does not say to use --lenient, and applies the pods', async () => {
    const f = file('shop2.yaml', `${POD('shop')}---\n${POLICY}`);
    const r = await cli(ctx.t, ['apply', '--lenient', '-f', f]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('pod/shop created');
    expect(r.stderr).toMatch(/^Warning: .*shop2\.yaml#2 \(NetworkPolicy front\): skipped: kind "NetworkPolicy" is not served yet \(tinylet serves Pods, Namespaces, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets\): /);
    expect(r.stderr).not.toMatch(/use --lenient/);
  });

  it('prints the server\'s warnings for what --lenient accepted, worded for --lenient', async () => {
    const f = file('tty.yaml', POD('tty').replace("command: [sleep, '3600']", "command: [sleep, '3600'], securityContext: {appArmorProfile: {type: RuntimeDefault}}"));
    const r = await cli(ctx.t, ['create', '--lenient', '-f', f]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('Warning: spec.containers[0].securityContext.appArmorProfile: AppArmor: not implemented by tinylet (accepted with --lenient)');
  });

  it('create and apply --as-pod run a Deployment\'s template as a pod named after it; delete -f --as-pod removes it', async () => {
    const f = file('web.yaml', DEPLOYMENT);
    const refused = await cli(ctx.t, ['create', '-f', f]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`${f}#1 (Deployment web): kind "Deployment" is not served yet (${SERVES}): --as-pod runs its spec.template as pod web; --lenient skips it`);
    const created = await cli(ctx.t, ['create', '--as-pod', '-f', f]);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toBe('pod/web created');
    expect(created.stderr).toBe('note: Deployment web: runs its spec.template as pod web (no rollout, and nothing recreates it once deleted)');
    const applied = await cli(ctx.t, ['apply', '--as-pod', '-f', f, '-o', 'json']);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const pod = JSON.parse(applied.stdout);
    expect([pod.kind, pod.metadata.name, pod.metadata.labels]).toEqual(['Pod', 'web', { app: 'web' }]);
    const del = await cli(ctx.t, ['delete', '--as-pod', '-f', f, '--wait=false']);
    expect(del.exitCode, del.stderr).toBe(0);
    expect(del.stdout).toBe('pod "web" deleted');
  });

  it('delete -f skips what it does not serve, with a warning, and deletes the pods', async () => {
    const f = file('shop3.yaml', `${POD('shop')}---\n${POLICY}`);
    const r = await cli(ctx.t, ['delete', '-f', f, '--wait=false']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('pod "shop" deleted');
    expect(r.stderr).toMatch(/^Warning: .*\(NetworkPolicy front\): skipped: kind "NetworkPolicy" is not served yet \(tinylet serves Pods, Namespaces, Services, Endpoints, EndpointSlices, ConfigMaps and Secrets\): nothing of it to delete here$/);
  });
});

describe('-o json on failure: apply, create, get', () => {
  const ctx = agentWithFiles('tinylet-cli-json-');
  const { file } = ctx;

  it('create -o json of an invalid pod: the server\'s causes with their field paths', async () => {
    const bad = file('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - name: web\n');
    const r = await cli(ctx.t, ['create', '-f', bad, '-o', 'json']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).errors).toEqual([expect.objectContaining({ source: bad, object: 'Pod bad', field: 'spec.containers[0].image', message: 'Required value' })]);
    expect(r.stderr).toContain('spec.containers[0].image: Required value');
  });

  it('apply -o json of a YAML error: its line and column', async () => {
    const tabs = file('tabs.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n');
    const r = await cli(ctx.t, ['apply', '-f', tabs, '-o', 'json']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [{ source: tabs, line: 4, column: 1, message: 'Tabs are not allowed as indentation', hint: 'YAML does not allow tabs for indentation: indent with spaces' }],
    });
  });

  it('apply -o json: some pods applied, one refused by the server: a List with both', async () => {
    const f = file('two.yaml', `${POD('good')}---\napiVersion: v1\nkind: Pod\nmetadata: {name: worse}\nspec: {containers: [{name: c}]}\n`);
    const r = await cli(ctx.t, ['apply', '-f', f, '-o', 'json']);
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['good']);
    expect(doc.errors).toEqual([expect.objectContaining({ object: 'Pod worse', field: 'spec.containers[0].image' })]);
  });

  it('get -o json of a missing pod, and of a bad selector', async () => {
    const missing = await cli(ctx.t, ['get', 'pod', 'nope', '-o', 'json']);
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ errors: [expect.objectContaining({ reason: 'NotFound', code: 404, message: 'pods "nope" not found' })] });
    const selector = await cli(ctx.t, ['get', 'pods', '-l', 'a in (', '-o', 'json']);
    expect(selector.exitCode).toBe(1);
    expect(JSON.parse(selector.stdout).errors).toHaveLength(1);
    // Without -o json, stdout stays empty, as kubectl's.
    expect((await cli(ctx.t, ['get', 'pod', 'nope'])).stdout).toBe('');
  });
});
