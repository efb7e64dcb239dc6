// Containment, attacked from inside pods: what a container may do is what runc gives a Kubernetes
// container by default, and securityContext changes it as the kubelet and containerd do.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Container, Pod } from '../src/api/types.js';
import { podDir } from '../src/kubelet/podPaths.js';
import { execInContainer } from '../src/runtime/exec.js';
import { eventsOf, logOf } from './helpers/logs.js';
import { firstContainer, podManifest, testNode, waitForPod, waitUntil, type TestNode } from './helpers/testKubelet.js';

const succeeded = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
// Before the kubelet's first sync a pod has no container statuses at all: that is not "all running".
const allRunning = (p: Pod) => (p.status?.containerStatuses ?? []).length > 0 && p.status!.containerStatuses!.every((c) => c.state?.running !== undefined);

/** CapEff of the runtime's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
const DEFAULT_CAPS = '00000000a80425fb';

/** Runs one busybox script to completion and returns its output lines (stderr folded in). */
async function runScript(node: TestNode, name: string, script: string, extra: Partial<Container> = {}, spec: Partial<NonNullable<Pod['spec']>> = {}): Promise<string[]> {
  const w = node.run(podManifest(name, { restartPolicy: 'Never', ...spec, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `exec 2>&1; ${script}`], ...extra }] }));
  await waitForPod(node, w, succeeded);
  return logOf(node, w, 'c');
}

/** `key=value` lines of a script's output as a map. */
function results(lines: string[]): Record<string, string> {
  return Object.fromEntries(lines.filter((l) => /^[a-z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('default containment (no securityContext)', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('runs with the runtime default capabilities, no device, no mount, no route, read-only /sys, /proc/sys and cgroupfs', async () => {
    node = testNode();
    const out = results(
      await runScript(
        node,
        'attacker',
        [
          'echo caps=$(grep CapEff /proc/self/status | cut -f2)',
          'echo bnd=$(grep CapBnd /proc/self/status | cut -f2)',
          'echo nnp=$(grep NoNewPrivs /proc/self/status | cut -f2)',
          'mount -t tmpfs x /mnt >/dev/null 2>&1; echo mount=$?',
          // A block device made with CAP_MKNOD cannot be opened: every writable mount is nodev.
          'mknod /tmp/disk b 8 0 && head -c 1 /tmp/disk >/dev/null 2>&1; echo blockdev=$?',
          'echo devs=$(ls /dev | tr "\\n" " ")',
          'echo 0 > /sys/fs/cgroup/memory/cgroup.procs 2>/dev/null || echo 0 > /sys/fs/cgroup/cgroup.procs 2>/dev/null; echo cgroupfs=$?',
          'echo cgroup_self=$(cut -d: -f3 /proc/self/cgroup | sort -u | tr "\\n" " ")',
          'echo x > /proc/sys/kernel/modprobe 2>/dev/null; echo modprobe=$?',
          'echo 1 > /sys/kernel/uevent_helper 2>/dev/null; echo sysfs=$?',
          'ip route add default dev eth0 2>/dev/null; echo route=$?',
          'ip link add dummy0 type dummy 2>/dev/null; echo link=$?',
          'echo keys=$(wc -c < /proc/keys)',
          'hostname evil 2>/dev/null; echo sethostname=$?',
        ].join('; '),
      ),
    );
    expect(out.caps).toBe(DEFAULT_CAPS);
    expect(out.bnd).toBe(DEFAULT_CAPS);
    expect(out.nnp).toBe('0');
    expect(out.mount).not.toBe('0');
    expect(out.blockdev).not.toBe('0');
    expect(out.devs.trim().split(' ').sort()).toEqual(['console', 'core', 'fd', 'full', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero']);
    expect(out.cgroupfs).not.toBe('0');
    // A cgroup namespace: the container's own cgroup is its root.
    expect(out.cgroup_self.trim()).toBe('/');
    expect(out.modprobe).not.toBe('0');
    expect(out.sysfs).not.toBe('0');
    expect(out.route).not.toBe('0');
    expect(out.link).not.toBe('0');
    expect(out.keys).toBe('0');
    expect(out.sethostname).not.toBe('0');
  });

  it('sees nothing of the agent or of other pods: no state dir, token, key, socket or config; /tmp, /root, /run empty', async () => {
    node = testNode();
    const secret = join(node.config.stateDir, 'api-token');
    writeFileSync(secret, 'super-secret-token\n');
    const other = node.run(
      podManifest('victim', {
        volumes: [{ name: 'data', emptyDir: {} }],
        containers: [{ name: 'v', image: 'busybox', command: ['sh', '-c', 'echo victim-data > /data/private; sleep 3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      }),
    );
    await waitForPod(node, other, allRunning);
    const out = await runScript(
      node,
      'snoop',
      [
        `cat ${secret} 2>/dev/null; echo token=$?`,
        `echo state=$(ls -A ${node.config.stateDir} 2>/dev/null | wc -l)`,
        `cat ${join(podDir(node.config.stateDir, other.pod), 'volumes', 'data', 'private')} 2>/dev/null; echo victim=$?`,
        `ls ${node.config.stateDir}/pods 2>/dev/null; echo pods=$?`,
        'echo tmp=$(ls -A /tmp | wc -l) root=$(ls -A /root | wc -l) run=$(ls -A /run | wc -l)',
        'cat /etc/shadow >/dev/null 2>&1; echo shadow=$?',
      ].join('; '),
    );
    const r = results(out);
    expect(r.token).not.toBe('0');
    expect(r.state).toBe('0');
    expect(r.victim).not.toBe('0');
    expect(r.pods).not.toBe('0');
    // /run holds only what the kubelet mounts (the serviceaccount, through /var/run -> /run).
    expect(out).toContain('tmp=0 root=0 run=1');
    expect(r.shadow).not.toBe('0');
  });

  it('mounts volumes and the serviceaccount inside the container root (/var/run is the container\'s, ":" is a plain character) and creates nothing on the host', async () => {
    node = testNode();
    const before = { root: readdirSync('/'), run: readdirSync('/run'), varRun: readdirSync('/var/run') };
    const out = await runScript(
      node,
      'mounts',
      'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; ls /var/run/secrets/kubernetes.io/serviceaccount | tr "\\n" " "; echo; echo hi > /var/run/x/f && cat /var/run/x/f; echo colon > "/data:x/y" && cat "/data:x/y"; ls -d /new/deep/dir',
      { volumeMounts: [{ name: 'x', mountPath: '/var/run/x' }, { name: 'y', mountPath: '/data:x' }, { name: 'z', mountPath: '/new/deep/dir' }] },
      { volumes: [{ name: 'x', emptyDir: {} }, { name: 'y', emptyDir: {} }, { name: 'z', emptyDir: {} }] },
    );
    expect(out).toEqual(['default', 'ca.crt namespace token ', 'hi', 'colon', '/new/deep/dir']);
    expect({ root: readdirSync('/'), run: readdirSync('/run'), varRun: readdirSync('/var/run') }).toEqual(before);
    expect(existsSync('/new')).toBe(false);
  });

  it('a subPath that a container turned into a symlink out of the volume is refused', async () => {
    node = testNode();
    const w = node.run(
      podManifest('subpath', {
        restartPolicy: 'Never',
        volumes: [{ name: 'v', emptyDir: {} }],
        initContainers: [{ name: 'plant', image: 'busybox', command: ['ln', '-s', '/etc', '/v/escape'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
        containers: [{ name: 'c', image: 'busybox', command: ['ls', '/host-etc'], volumeMounts: [{ name: 'v', mountPath: '/host-etc', subPath: 'escape' }] }],
      }),
    );
    await waitForPod(node, w, (p) => firstContainer(p)?.state?.terminated !== undefined || firstContainer(p)?.state?.waiting?.message !== undefined);
    const state = firstContainer(w.pod).state!;
    expect(JSON.stringify(state)).toMatch(/not within the volume path/);
  });

  it('the shared PID namespace\'s PID 1 (pause) gives no way to the host root', async () => {
    node = testNode();
    const out = results(
      await runScript(node, 'sharedpid', 'ls /proc/1/root/ >/dev/null 2>&1; echo root=$?; cat /proc/1/environ >/dev/null 2>&1; echo environ=$?', {}, { shareProcessNamespace: true }),
    );
    expect(out.root).not.toBe('0');
    expect(out.environ).not.toBe('0');
  });
});

describe('securityContext', () => {
  let node: TestNode;
  afterEach(async () => node?.cleanup());

  it('runAsUser, runAsGroup, supplementalGroups and fsGroup (emptyDir group-owned, setgid)', async () => {
    node = testNode();
    const out = await runScript(
      node,
      'ids',
      'id; stat -c "%a %g" /data; touch /data/f && stat -c "%g" /data/f; touch /f 2>/dev/null; echo rootfs=$?; echo caps=$(grep CapEff /proc/self/status | cut -f2)',
      { volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      { securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000] }, volumes: [{ name: 'data', emptyDir: {} }] },
    );
    expect(out[0]).toMatch(/^uid=1000(\(\w+\))? gid=3000(\(\w+\))? groups=/);
    const groups = out[0].replace(/^.*groups=/, '').split(',').map((g) => Number.parseInt(g, 10));
    expect(groups.sort()).toEqual([2000, 3000, 4000]);
    expect(out[1]).toBe('2777 2000');
    expect(out[2]).toBe('2000');
    // Not root: the host-backed root's directories are root's.
    expect(out[3]).not.toBe('rootfs=0');
    expect(out[4]).toBe('caps=0000000000000000');
  });

  it('container-level settings win over the pod\'s; drop ALL leaves root with CapEff 0; add keeps only what is added', async () => {
    node = testNode();
    const w = node.run(
      podManifest('caps', {
        restartPolicy: 'Never',
        securityContext: { runAsUser: 1000 },
        containers: [
          { name: 'drop', image: 'busybox', command: ['sh', '-c', 'id -u; grep -E "Cap(Eff|Bnd)" /proc/self/status | cut -f2'], securityContext: { runAsUser: 0, capabilities: { drop: ['ALL'] } } },
          { name: 'add', image: 'busybox', command: ['sh', '-c', 'grep CapEff /proc/self/status | cut -f2'], securityContext: { runAsUser: 0, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CAP_KILL'] } } },
          { name: 'sysadmin', image: 'busybox', command: ['sh', '-c', 'mount -t tmpfs t /mnt && echo mounted'], securityContext: { runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } } },
        ],
      }),
    );
    await waitForPod(node, w, succeeded);
    expect(logOf(node, w, 'drop')).toEqual(['0', '0000000000000000', '0000000000000000']);
    expect(logOf(node, w, 'add')).toEqual([(1n << 10n | 1n << 5n).toString(16).padStart(16, '0')]);
    expect(logOf(node, w, 'sysadmin')).toEqual(['mounted']);
  });

  it('readOnlyRootFilesystem: the root refuses writes, volumes do not', async () => {
    node = testNode();
    const out = await runScript(node, 'ro', 'touch /x 2>/dev/null; echo root=$?; touch /data/x; echo vol=$?', { securityContext: { readOnlyRootFilesystem: true }, volumeMounts: [{ name: 'data', mountPath: '/data' }] }, { volumes: [{ name: 'data', emptyDir: {} }] });
    expect(out).toEqual(['root=1', 'vol=0']);
  });

  it('runAsNonRoot refuses an image that runs as root with the kubelet\'s CreateContainerConfigError', async () => {
    // A short retry period: the kubelet tries again after its back-off period (10 s by default).
    node = testNode({ crashLoopBackOff: { initialDelayMs: 300, maxContainerRestartPeriodMs: 1000 } });
    const w = node.run(podManifest('nonroot', { securityContext: { runAsNonRoot: true }, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] }));
    const pod = await waitForPod(node, w, (p) => firstContainer(p)?.state?.waiting?.reason === 'CreateContainerConfigError');
    expect(firstContainer(pod).state!.waiting!.message).toMatch(/^container has runAsNonRoot and image will run as root \(pod: "nonroot_default\(.+\)", container: c\)$/);
    // Tried again, and still no container was ever created: no restart, no CrashLoopBackOff.
    await waitUntil(() => eventsOf(node, w).filter((e) => e.reason === 'Failed' && /runAsNonRoot/.test(e.message)).length >= 3, 10_000);
    expect(firstContainer(w.pod)).toMatchObject({ restartCount: 0, state: { waiting: { reason: 'CreateContainerConfigError' } } });
  });

  it('allowPrivilegeEscalation: false sets no_new_privs; seccompProfile RuntimeDefault filters, Unconfined does not', async () => {
    node = testNode();
    const w = node.run(
      podManifest('seccomp', {
        restartPolicy: 'Never',
        containers: [
          { name: 'restricted', image: 'busybox', command: ['sh', '-c', 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | cut -f2; unshare -U true 2>/dev/null; echo unshare=$?'], securityContext: { allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } } },
          { name: 'unconfined', image: 'busybox', command: ['sh', '-c', 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | cut -f2'], securityContext: { seccompProfile: { type: 'Unconfined' } } },
          { name: 'nonroot', image: 'busybox', command: ['sh', '-c', 'id -u; grep -E "^Seccomp:" /proc/self/status | cut -f2'], securityContext: { runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } } },
        ],
      }),
    );
    await waitForPod(node, w, succeeded);
    expect(logOf(node, w, 'restricted')).toEqual(['1', '2', 'unshare=1']);
    expect(logOf(node, w, 'unconfined')).toEqual(['0', '0']);
    expect(logOf(node, w, 'nonroot')).toEqual(['65534', '2']);
  });

  it('privileged: every capability, the host\'s devices, a writable /sys', async () => {
    node = testNode();
    const out = results(
      await runScript(node, 'priv', 'echo caps=$(grep CapEff /proc/self/status | cut -f2); echo loop=$(ls /dev | grep -c "^loop\\|^vd\\|^sd\\|^nvme\\|^kmsg"); mount -t tmpfs x /mnt && echo mount=0', { securityContext: { privileged: true } }),
    );
    // Every capability the agent itself has (a nested host may lack some).
    expect(out.caps).toBe(/CapBnd:\s*(\w+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
    expect(Number(out.loop)).toBeGreaterThan(0);
    expect(out.mount).toBe('0');
  });

  it('exec probes, hooks and exec run with the container\'s identity and capabilities', async () => {
    node = testNode();
    const w = node.run(
      podManifest('execid', {
        securityContext: { runAsUser: 1000, runAsGroup: 3000 },
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', 'sleep 3600'],
            lifecycle: { postStart: { exec: { command: ['sh', '-c', 'id -u > /tmp/poststart'] } } },
            readinessProbe: { exec: { command: ['sh', '-c', 'test "$(id -u):$(id -g)" = 1000:3000 && test -f /tmp/poststart'] }, periodSeconds: 1 },
          },
        ],
      }),
    );
    await waitForPod(node, w, (p) => firstContainer(p)?.ready === true);
    const proc = w.records[0].process!;
    const res = await execInContainer(proc, ['sh', '-c', 'id -u; cat /tmp/poststart; grep -E "Cap(Eff|Bnd)" /proc/self/status | cut -f2; cat /proc/1/cmdline | tr "\\0" " "'], { env: { PATH: '/.tinylet/busybox:/usr/bin:/bin' } });
    expect(res.output.trim().split('\n')).toEqual(['1000', '1000', '0000000000000000', DEFAULT_CAPS, 'sleep 3600']);
  });

  it('pod sysctls are set in the pod\'s namespaces: a non-root app binds port 80', async () => {
    node = testNode();
    const out = await runScript(
      node,
      'sysctl',
      // Bound means listening on port 80 (0x0050, state 0A; nc listens dual-stack, in tcp6), not merely not dead yet.
      'listening() { cat /proc/net/tcp /proc/net/tcp6 | grep -q ":0050 0*:0000 0A"; }; cat /proc/sys/net/ipv4/ip_unprivileged_port_start; nc -l -p 80 & for i in $(seq 50); do listening && break; sleep 0.1; done; listening && echo bound; kill $!',
      { securityContext: { runAsUser: 1000 } },
      { securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } },
    );
    expect(out).toEqual(['0', 'bound']);
  });

  it('an unsafe sysctl fails the pod at admission (SysctlForbidden) unless allowedUnsafeSysctls names it', async () => {
    node = testNode();
    const w = node.run(podManifest('unsafe', { securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] }, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] }));
    const pod = await waitForPod(node, w, (p) => p.status?.phase === 'Failed');
    expect(pod.status).toMatchObject({ reason: 'SysctlForbidden', message: 'Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted' });
    expect(w.sandbox).toBeUndefined();
    await node.cleanup();
    node = testNode({ allowedUnsafeSysctls: ['net.core.*'] });
    const out = await runScript(node, 'allowed', 'cat /proc/sys/net/core/somaxconn', {}, { securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } });
    expect(out).toEqual(['1024']);
  });
});
