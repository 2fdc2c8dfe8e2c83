// The chaos report in a real browser: a short `cinnabar chaos` run writes its HTML report, which
// headless Chromium renders to a screenshot and to its DOM. The screenshot must be a plausible
// PNG that is not blank and shows the timeline's colours (green acknowledged writes, red fault
// markers, the green verdict box); the DOM must hold a lane per server with its write bars and
// the fault rows. Skipped, saying so, where Chromium is not installed (CI installs Debian's
// chromium).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UMBRELLA_CLI, haveProgram, run, type Proc } from '../helpers/process.js';
import { countColour, countNonWhite, decodePng } from '../helpers/png.js';

const CHROMIUM = ['chromium', 'chromium-browser'].find(haveProgram) ?? null;
const WIDTH = 1280;
const HEIGHT = 1000;
const CHROMIUM_TIMEOUT_MS = 60_000;

const dir = mkdtempSync(join(tmpdir(), 'cinnabar-chaos-chromium-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const started: Proc[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
});

/** Headless Chromium with a throw-away profile; --no-sandbox because the tests may run as root. */
function chromium(args: string[]): { stdout: string; stderr: string } {
  const result = spawnSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
    `--user-data-dir=${join(dir, 'profile')}`, ...args], { encoding: 'utf8', timeout: CHROMIUM_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`chromium exited with ${result.status ?? result.signal}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(CHROMIUM === null)(`the chaos report in headless Chromium${CHROMIUM === null ? ' (skipped: chromium is not installed; apt-get install chromium)' : ''}`, () => {
  it('renders the timeline: a screenshot with its colours, and its elements in the DOM', async () => {
    const report = join(dir, 'report.html');
    const proc = run(process.execPath, [UMBRELLA_CLI, 'chaos', '--topology', 'sentinel', '--duration', '10', '--faults', 'pause', '--seed', '7', '--report', report]);
    started.push(proc);
    const exit = await proc.waitExit(120_000);
    expect(exit.code, proc.output).toBe(0);
    const url = pathToFileURL(report).href;

    const shot = join(dir, 'report.png');
    chromium([`--screenshot=${shot}`, `--window-size=${WIDTH},${HEIGHT}`, url]);
    // A page of text and a chart compresses to tens of KB; a blank page to about 5 KB.
    expect(statSync(shot).size).toBeGreaterThan(15_000);
    const png = decodePng(readFileSync(shot));
    expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
    const pixels = WIDTH * HEIGHT;
    expect(countNonWhite(png) / pixels).toBeGreaterThan(0.02);
    // The report's own colours: the verdict box (#d9f2d9), acknowledged write bars (#3a3) and fault markers (#c00).
    expect(countColour(png, [0xd9, 0xf2, 0xd9], 3)).toBeGreaterThan(2000);
    expect(countColour(png, [0x33, 0xaa, 0x33], 6)).toBeGreaterThan(200);
    expect(countColour(png, [0xcc, 0x00, 0x00], 6)).toBeGreaterThan(20);

    const dom = chromium(['--dump-dom', url]).stdout;
    expect(dom).toContain('<div class="verdict ok">acknowledged writes lost: 0</div>');
    const svg = /<svg[^>]*>([\s\S]*?)<\/svg>/.exec(dom)?.[1] ?? '';
    // A lane per server (a primary and 2 replicas), each named by its address.
    expect(svg.match(/<text [^>]*class="label">127\.0\.0\.1:\d+<\/text>/g)).toHaveLength(3);
    expect((svg.match(/<rect [^>]*class="acked"/g) ?? []).length).toBeGreaterThan(3);
    expect(svg).toMatch(/<g class="fault">/);
    expect(dom).toMatch(/<tr class="fault"><td>[\d.]+ s<\/td><td>fault<\/td><td>127\.0\.0\.1:\d+<\/td><td>SIGSTOP \((primary|replica)\) for \d+ ms<\/td><\/tr>/);
  }, 240_000);
});
