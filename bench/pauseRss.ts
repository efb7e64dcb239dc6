import { readFileSync } from 'node:fs';
import { startSandbox, stopSandbox } from '../src/runtime/sandbox.js';

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Resident memory of the pause process, plain and as PID 1 of a shared PID namespace. */
export async function pauseRss(): Promise<Record<string, number>> {
  const plain = await startSandbox({ hostname: 'bench', hostNetwork: false, sharePid: false });
  const shared = await startSandbox({ hostname: 'bench', hostNetwork: false, sharePid: true });
  try {
    return { pauseRssKb: rssKb(plain.pid), pauseSharedPidParentRssKb: rssKb(shared.pid) };
  } finally {
    await stopSandbox(plain);
    await stopSandbox(shared);
  }
}
