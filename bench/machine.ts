import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** What the numbers were measured on: they mean little without it. */
export function machine(podman: string | undefined): Record<string, unknown> {
  const os = /PRETTY_NAME="([^"]*)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  return {
    os,
    kernel: release(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryMB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    podman: podman ?? null,
    loadAverage1m: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  };
}
