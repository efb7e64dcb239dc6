import { join } from 'node:path';
import { packageRoot } from '../src/runtime/paths.js';

export const cliPath = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}
