import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/timeline/renderHtml.js';
import { colourCounts, decodePng } from './helpers/png.js';
import { record } from './helpers/timelineFixture.js';
import { kubeletRecord } from './timeline.kubeletFixture.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) console.warn(`timeline.chromium: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);

const dir = mkdtempSync(join(tmpdir(), 'tinylet-chromium-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const page = join(dir, 'timeline.html');
writeFileSync(page, renderHtml(record));
const kubeletPage = join(dir, 'kubelet.html');
writeFileSync(kubeletPage, renderHtml(kubeletRecord));

/** Headless Chromium as the task says: no network, no first-run, its own profile in the temp dir. */
function chromium(args: string[], profile: string, file = page) {
  return execa(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, profile)}`, ...args, pathToFileURL(file).href],
    { reject: false, timeout: 90_000 },
  );
}

describe.skipIf(!present)('timeline HTML in headless Chromium', () => {
  it('loads with the SVG lanes, marks, legend and one table row per event', async () => {
    const r = await chromium(['--dump-dom'], 'dom');
    expect(r.exitCode, r.stderr).toBe(0);
    const dom = r.stdout;
    // The DOM Chromium built (not our text): the SVG parsed as SVG, lanes and table present.
    expect(dom).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="tinylet-timeline"');
    for (const lane of ['pod', 'app', 'side&lt;car&gt;']) expect(dom).toContain(`data-lane="${lane}"`);
    for (const cls of ['iv running', 'iv preStop', 'mark sigkill', 'mark signal', 'mark exit', 'class="legend"']) expect(dom).toContain(cls);
    expect(dom.match(/<tr class="(normal|warning)">/g)?.length).toBe(record.entries.length);
    expect(dom).not.toContain('<script');
  }, 120_000);

  it('screenshots to a PNG of the window size with the lane colours in it', async () => {
    const shot = join(dir, 'timeline.png');
    const r = await chromium([`--screenshot=${shot}`, '--window-size=1200,800', '--hide-scrollbars'], 'shot');
    expect(r.exitCode, r.stderr).toBe(0);
    const img = decodePng(readFileSync(shot));
    expect([img.width, img.height]).toEqual([1200, 800]);
    const counts = colourCounts(img);
    expect(counts.size).toBeGreaterThan(20);
    // No single colour covers the whole picture, and the running green and preStop orange were painted.
    expect(Math.max(...counts.values())).toBeLessThan(img.width * img.height * 0.95);
    expect(counts.get(0x43a047) ?? 0).toBeGreaterThan(500);
    expect(counts.get(0xfb8c00) ?? 0).toBeGreaterThan(100);
  }, 120_000);

  it('paints the kubelet record: postStart bar, probe ticks, the endpoint band', async () => {
    const shot = join(dir, 'kubelet.png');
    const r = await chromium([`--screenshot=${shot}`, '--window-size=1200,560', '--hide-scrollbars'], 'kshot', kubeletPage);
    expect(r.exitCode, r.stderr).toBe(0);
    const counts = colourCounts(decodePng(readFileSync(shot)));
    // postStart purple, the success ticks' green, the failure tick's red, endpoint ready teal and terminating amber.
    expect(counts.get(0x7e57c2) ?? 0).toBeGreaterThan(100);
    expect(counts.get(0x2e7d32) ?? 0).toBeGreaterThan(20);
    expect(counts.get(0xd50000) ?? 0).toBeGreaterThan(5);
    expect(counts.get(0x26a69a) ?? 0).toBeGreaterThan(500);
    expect(counts.get(0xffb300) ?? 0).toBeGreaterThan(500);
  }, 120_000);
});
