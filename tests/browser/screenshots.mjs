// Full-page screenshots of the home page at phone and desktop widths.
// Usage: BASE_URL=http://127.0.0.1:PORT [OUT=dir] node screenshots.mjs
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './lib.mjs';

const WIDTHS = [375, 1280];

if (!process.env.BASE_URL) {
  console.error('BASE_URL is not set, e.g. BASE_URL=http://127.0.0.1:8080 node screenshots.mjs');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.env.OUT || path.join(here, '..', '..', 'docs', 'screenshots'));
const url = `${process.env.BASE_URL.replace(/\/+$/, '')}/`;

await mkdir(out, { recursive: true });
const browser = await launchBrowser();
try {
  for (const width of WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const response = await page.goto(url, { waitUntil: 'networkidle' });
    if (!response || response.status() >= 400) throw new Error(`${url} answered ${response?.status()}`);
    await page.evaluate(() => document.fonts.ready);
    const file = path.join(out, `home-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`wrote ${file}`);
    await context.close();
  }
} finally {
  await browser.close();
}
