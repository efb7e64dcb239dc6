import { describe, expect, it } from 'vitest';
import { longTimeout, MAX_TIMER_MS } from '../src/runtime/longTimeout.js';

/** Resolves with the milliseconds from now until `fn` of a long timer ran. */
function firesAfter(ms: number, chunkMs: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => longTimeout(ms, () => resolve(performance.now() - start), chunkMs));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The real clock throughout: the chunk size is what the tests shrink, so a delay of a few chunks
// exercises the chaining a 25-day chunk would need a month for.
describe('longTimeout', () => {
  it('chains chunks: a delay of several chunks fires once, on time, not at the first chunk', async () => {
    const calls: number[] = [];
    const start = performance.now();
    longTimeout(230, () => calls.push(performance.now() - start), 50);
    await pause(120);
    expect(calls).toEqual([]);
    await pause(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeGreaterThanOrEqual(229);
    expect(calls[0]).toBeLessThan(300);
  });

  it('a delay shorter than a chunk is a plain timer', async () => {
    const took = await firesAfter(30, 50);
    expect(took).toBeGreaterThanOrEqual(29);
    expect(took).toBeLessThan(100);
  });

  it('clear() stops it between chunks', async () => {
    let fired = false;
    const t = longTimeout(150, () => (fired = true), 40);
    await pause(90); // two chunks in
    t.clear();
    await pause(150);
    expect(fired).toBe(false);
  });

  it('beyond setTimeout\'s 2^31-1 ms it waits (setTimeout itself would fire after 1 ms)', async () => {
    let fired = false;
    const t = longTimeout(MAX_TIMER_MS + 1, () => (fired = true));
    const far = longTimeout(1e21, () => (fired = true)); // a grace period of 1e18 s
    await pause(50);
    expect(fired).toBe(false);
    t.clear();
    far.clear();
  });

  it('an infinite delay never fires; NaN and negative delays fire at once, as with setTimeout', async () => {
    let never = false;
    longTimeout(Infinity, () => (never = true), 10);
    expect(await firesAfter(NaN, 50)).toBeLessThan(30);
    expect(await firesAfter(-5, 50)).toBeLessThan(30);
    await pause(30);
    expect(never).toBe(false);
  });

  it('unref() holds for every chunk: a process with only an unref\'d long timer exits', async () => {
    // In a child process, from the built module (as the CLI tests use dist/): a timer still
    // referenced would keep it alive for the whole minute.
    const { execFileSync } = await import('node:child_process');
    const module = new URL('../dist/src/runtime/longTimeout.js', import.meta.url).href;
    const script = `const { longTimeout } = await import(${JSON.stringify(module)}); longTimeout(60000, () => process.exit(3), 20).unref();`;
    const start = performance.now();
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
