import { constants } from 'node:os';

const byNumber = new Map<number, string>(Object.entries(constants.signals).map(([name, num]) => [num, name]));

export function signalNumber(name: string): number | undefined {
  const upper = name.toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return (constants.signals as Record<string, number>)[full];
}

export function signalName(num: number): string {
  return byNumber.get(num) ?? `SIG${num}`;
}

/** A raw wait(2) status as the container's exit: the shell convention gives 128+N for a signal. */
export interface ProcessExit {
  exitCode: number;
  signal?: number;
}

export function decodeWaitStatus(raw: number): ProcessExit {
  const termSig = raw & 0x7f;
  if (termSig === 0) return { exitCode: (raw >> 8) & 0xff };
  return { exitCode: 128 + termSig, signal: termSig };
}

export function describeExit(exit: ProcessExit): string {
  if (exit.signal) return `killed by ${signalName(exit.signal)} (exit code ${exit.exitCode})`;
  return `exited with code ${exit.exitCode}`;
}
