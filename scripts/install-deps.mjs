// Installs the Debian packages tinylet's runtime, build and tests use, when some are missing, and
// Debian's kubectl for the tests (scripts/install-kubectl.sh). `npm install` runs it (see
// scripts/host-packages/package.json for why twice on a fresh clone), and so does scripts/provision.sh.
// It never fails the install: without root, apt or network it prints the command to run and goes on,
// and a missing compiler or libseccomp then stops the build with its own message (build-pause.mjs).
// With everything present it is one dpkg-query: well under a second.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each package and what needs it. */
const PACKAGES = {
  'util-linux': 'unshare, nsenter: the tests (the pause binary makes namespaces itself)',
  iproute2: 'ip: the pod network',
  nftables: "nft: the pod network's firewall",
  'busybox-static': 'the busybox image',
  'nginx-light': 'the nginx image',
  'build-essential': 'a C compiler and make: agent/*.c and node-pty',
  'libseccomp-dev': "libseccomp.a: containers' seccomp filters",
  python3: 'the python image; node-gyp builds node-pty with it',
  procps: 'ps, pgrep: the tests',
  psmisc: 'killall: the classic lifecycle-demo preStop',
  openssl: "the agent's certificate",
  zstd: 'zstd-compressed image layers',
};
const OPT_OUT = 'TINYLET_SKIP_APT';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => console.log(`tinylet: ${line}`);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (process.env[OPT_OUT] === '1') {
  say(`${OPT_OUT}=1: not checking the Debian packages tinylet needs`);
  process.exit(0);
}
if (!has('dpkg-query') || !has('apt-get')) {
  say(`not a Debian/Ubuntu system (no dpkg/apt): install these or their equivalents yourself: ${Object.keys(PACKAGES).join(' ')}`);
  process.exit(0);
}

const missing = missingPackages(Object.keys(PACKAGES));
if (missing.length > 0) install(missing);
installKubectl();

/** The packages dpkg does not list as installed (unknown ones included). */
function missingPackages(names) {
  // dpkg-query exits 1 when a name is unknown to it, and still prints the others.
  const out = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...names], { encoding: 'utf8' }).stdout;
  const installed = new Set(out.split('\n').filter((l) => / ii ?$/.test(l)).map((l) => l.split(' ')[0]));
  return names.filter((n) => !installed.has(n));
}

function install(names) {
  const command = `apt-get install -y --no-install-recommends ${names.join(' ')}`;
  say(`missing Debian packages: ${names.map((n) => `${n} (${PACKAGES[n]})`).join(', ')}`);
  if (process.getuid?.() !== 0) {
    say(`not root, so not installing them: run  sudo ${command}  (or set ${OPT_OUT}=1 to silence this)`);
    return;
  }
  say(`installing them: ${command}  (${OPT_OUT}=1 skips this)`);
  // A fresh machine (or a container image) may have no package lists yet (they may be kept
  // compressed: _Packages.lz4); stale ones give 404s, so a failed install is retried after an update.
  const listsEmpty = !readdirSync('/var/lib/apt/lists').some((f) => /_Packages(\.\w+)?$/.test(f));
  const aptInstall = () => apt(['install', '-y', '--no-install-recommends', ...names]);
  let r = listsEmpty ? apt(['update']) : { ok: true };
  if (r.ok) r = aptInstall();
  if (!r.ok) r = apt(['update']).ok ? aptInstall() : r;
  if (!r.ok) {
    process.stdout.write(r.output);
    say(`apt-get failed (output above); run  ${command}  yourself, then npm install again`);
    return;
  }
  say(`installed ${names.join(' ')}`);
  if (names.includes('nginx-light')) stopNginxService();
}

/** Runs apt-get without a prompt; keeps its output for when it fails. */
function apt(args) {
  const r = spawnSync('apt-get', ['-q', ...args], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

// tinylet only needs the nginx binary; the package also starts a host web server on port 80.
function stopNginxService() {
  if (!existsSync('/run/systemd/system')) return;
  if (spawnSync('systemctl', ['disable', '--now', 'nginx'], { stdio: 'ignore' }).status === 0) {
    say('stopped and disabled the nginx service that nginx-light started (tinylet runs nginx in pods only)');
  }
}

// The tests drive Debian's kubectl 1.20 from .cache/kubectl; the check is a file test, not a spawn.
function installKubectl() {
  if (existsSync(join(root, '.cache', 'kubectl', 'kubectl'))) return;
  say('fetching Debian\'s kubectl (kubernetes-client) into .cache/kubectl for the tests');
  try {
    execFileSync('bash', [join(root, 'scripts', 'install-kubectl.sh')], { stdio: 'inherit' });
  } catch {
    say('could not fetch kubectl: run  bash scripts/install-kubectl.sh  before npm test');
  }
}
