import type { Pod } from '../src/api/types.js';

/**
 * The pods both runtimes run, from one definition, so tinylet and podman get the same spec: only
 * the image differs (tinylet's host-backed busybox, podman's local image of the same
 * busybox-static binary). The FIFO (fifoMarks.ts) is in a hostPath volume at /mark.
 */
export interface BenchPodOpts {
  image: string;
  markDir: string;
  grace?: number;
  restartPolicy?: 'Always' | 'Never';
}

/** Writes its mark first, then waits as PID 1 (which ignores SIGTERM: grace or SIGKILL ends it). */
export const markThenSleep = (mark: string) => `echo ${mark} > /mark/fifo; exec sleep 3600`;

/** Writes its mark, exits 0 on SIGTERM: a stop costs the runtime's own work only. */
export const markThenExitOnTerm = (mark: string) => `trap "exit 0" TERM; echo ${mark} > /mark/fifo; while :; do sleep 1 & wait; done`;

/**
 * Writes its mark, then reports SIGTERM's arrival on the FIFO and goes on: only SIGKILL ends it.
 * `sleep & wait`: a trap runs as soon as the signal arrives, not after a foreground sleep.
 */
export const markThenIgnoreTerm = (mark: string) => `trap "echo term-${mark} > /mark/fifo" TERM; echo ${mark} > /mark/fifo; while :; do sleep 1 & wait; done`;

export const crashAtOnce = () => 'exit 1';

export function benchPod(name: string, scripts: Record<string, string>, o: BenchPodOpts): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: o.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: o.grace ?? 10,
      volumes: [{ name: 'mark', hostPath: { path: o.markDir, type: 'Directory' } }],
      containers: Object.entries(scripts).map(([c, script]) => ({
        name: c,
        image: o.image,
        imagePullPolicy: 'Never',
        command: ['sh', '-c', script],
        volumeMounts: [{ name: 'mark', mountPath: '/mark' }],
      })),
    },
  };
}
