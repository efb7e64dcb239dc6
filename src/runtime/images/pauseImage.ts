// The Kubernetes pause image (registry.k8s.io/pause, formerly k8s.gcr.io/pause and
// gcr.io/google_containers/pause*), any tag, run by tinylet's own pause binary: it sleeps, reaps
// the zombies of its PID namespace and exits 0 on SIGTERM or SIGINT, as the image's pause.c does.
// The image is FROM scratch with only /pause, ENTRYPOINT ["/pause"] and no STOPSIGNAL (SIGTERM);
// since pause 3.5 (CHANGELOG: "Run the container image as non root user per default") it is
// USER 65535:65535 (build/pause/Dockerfile, CHANGELOG.md in kubernetes/kubernetes).
import { pauseBinary } from '../paths.js';
import type { ImageConfig } from './imageConfig.js';

/** Where the image has its one file. */
export const PAUSE_PATH = '/pause';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const ARCH_SUFFIX = /^pause(-(amd64|arm|arm64|ppc64le|s390x|386))?$/;

/** Whether a parsed reference names a pause image (per-architecture variants such as pause-amd64 too). */
export function isPauseImage(ref: { registry: string; repository: string }): boolean {
  if (ref.registry === 'registry.k8s.io' || ref.registry === 'k8s.gcr.io') return ARCH_SUFFIX.test(ref.repository);
  return ref.registry === 'gcr.io' && ref.repository.startsWith('google_containers/pause');
}

/** Tags before 3.5 ran as root; later ones, `latest` and digests as 65535:65535. */
function userOf(tag: string): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(tag);
  if (!m) return '65535:65535';
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 3 || (major === 3 && minor >= 5) ? '65535:65535' : undefined;
}

export function pauseImageConfig(tag: string): ImageConfig {
  const user = userOf(tag);
  return {
    entrypoint: [PAUSE_PATH],
    cmd: [],
    env: { PATH: DEFAULT_PATH },
    workingDir: '/',
    ...(user ? { user } : {}),
    scratch: true,
    hostFiles: [{ src: pauseBinary, dst: PAUSE_PATH }],
  };
}
