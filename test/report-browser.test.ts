/**
 * `vnicspec reproduce --quick` end to end: its --json has the documented shape, and its report.html, opened in a
 * real headless Chromium, shows every chart (drawn marks, not empty SVGs) and the tables. Chromium comes from
 * Debian (`apt-get install chromium`; .ci/run installs it when missing): without it this test fails and says so.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type Run } from './cli-run.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let dir: string;
let result: Run;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-report-'));
  result = await run('reproduce', '--quick', '--json', '--out', dir);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ConfigJson {
  name: string;
  arch: string;
  cores: string;
  maxThroughputPerStream: number | null;
  paper: number | null;
  cpuAtMax: { id: string; runs: string[]; utilisation: number }[];
}

describe('vnicspec reproduce --quick', () => {
  it('prints { configs: [{ name, arch, cores, maxThroughputPerStream, paper, cpuAtMax }] } and exits 0', () => {
    expect(result.code, result.err).toBe(0);
    const json = JSON.parse(result.out) as { configs: ConfigJson[] };
    const names = json.configs.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['xen-idd-single-core', 'xen-idd-multi-core', 'vnic-multi-core', 'native-single-core', 'xen-idd-1vm-single-core']));
    for (const c of json.configs) {
      expect(c.maxThroughputPerStream).toBeGreaterThan(0);
      expect(c.paper === null || typeof c.paper === 'number').toBe(true);
      expect(c.cpuAtMax.length).toBeGreaterThan(0);
      for (const cpu of c.cpuAtMax) {
        expect(cpu.id).toMatch(/^cpu\d+$/);
        expect(cpu.runs.length).toBeGreaterThan(0);
        expect(cpu.utilisation).toBeGreaterThanOrEqual(0);
        expect(cpu.utilisation).toBeLessThanOrEqual(1);
      }
    }
    // The paper's qualitative result holds even in a quick run: vNICs beat the driver domain on the same cores.
    const at = (n: string) => json.configs.find((c) => c.name === n)!.maxThroughputPerStream!;
    expect(at('vnic-multi-core')).toBeGreaterThan(at('xen-idd-multi-core'));
    expect(at('xen-idd-multi-core')).toBeGreaterThan(at('xen-idd-single-core'));
  });

  it('writes results.md whose charts exist as SVG files', () => {
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    const linked = [...md.matchAll(/\]\((charts\/[^)]+\.svg)\)/g)].map((m) => m[1]!);
    expect(linked.length).toBeGreaterThanOrEqual(10);
    for (const f of linked) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^<svg /);
    expect(readdirSync(join(dir, 'charts')).length).toBe(linked.length);
  });

  it('renders report.html in headless Chromium: every chart drawn, the tables filled', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no browser at ${CHROMIUM}: this test opens the report in a real Chromium. Install it with 'apt-get install chromium' (.ci/run does this when it is missing).`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`file://${join(dir, 'report.html')}`);
    const charts = readdirSync(join(dir, 'charts')).length;
    const figures = page.locator('figure.chart');
    expect(await figures.count()).toBe(charts);
    for (let i = 0; i < charts; i++) {
      const figure = figures.nth(i);
      const box = await figure.locator('svg').boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(200);
      expect(box?.height ?? 0).toBeGreaterThan(150);
      // Drawn data: a line with a path, and axis labels as text.
      expect(await figure.locator('svg .mark-line path').count()).toBeGreaterThan(0);
      expect(await figure.locator('svg text').count()).toBeGreaterThan(5);
    }
    const maxima = page.locator('#maxima + table');
    await expect.poll(() => maxima.locator('tbody tr').count()).toBe(5);
    expect(await maxima.innerText()).toMatch(/vnic-multi-core[\s\S]*cpu1/);
    expect(await page.locator('#scalability ~ table tbody tr').first().innerText()).toMatch(/xen-idd\s+2\s/);
    expect(await page.locator('h1').innerText()).toMatch(/reproducing/);
    expect(errors).toEqual([]);
  });
});
