// Shared helpers for the browser harness: Chromium launch, error-recording
// pages, axe-core checks and batched Nu Html Checker (vnu) validation.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// No browser download works on this machine: Playwright drives Debian's
// chromium. chromium.launch() gives every run a fresh temporary user data
// dir and removes it on close.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
// vnu-jar's main export is a String object holding the absolute jar path.
export const VNU_JAR = String(require('vnu-jar'));

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens a page in its own context (no shared cookies or cache between
 * pages) and records console errors and uncaught page errors in `errors`.
 *
 * CSP stays enforced (no bypassCSP), so a script or style the app's CSP
 * blocks shows up here as a console error; checkAxe() does not need
 * bypassCSP because it injects axe through the DevTools protocol.
 */
export async function newPage(browser, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url || '';
    // Chromium fetches /favicon.ico on its own when a page declares no icon,
    // and logs a 404 for it only on the first page of the browser: ignore
    // it rather than fail whichever page happened to come first.
    if (safePathname(where) === '/favicon.ico') return;
    errors.push(`console.error: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return { page, errors, close: () => context.close() };
}

/**
 * Runs axe-core on the page with the WCAG 2.x A/AA rule tags and returns its
 * violations. The source goes in via page.evaluate (DevTools protocol), which
 * the page's CSP does not govern; page.addScriptTag({content}) is blocked by
 * a nonce-based script-src and would itself log a CSP console error.
 */
export async function checkAxe(page) {
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    (tags) =>
      window.axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((r) => r.violations),
    AXE_TAGS,
  );
}

/**
 * Validates a batch of saved HTML files with one JVM start of the Nu Html
 * Checker. Returns a Map of absolute file path -> array of vnu error
 * messages, with an entry for every given file. vnu writes its JSON report
 * to stderr and exits 1 when it found errors, so that exit code is expected.
 */
export async function validateHtml(files) {
  const results = new Map(files.map((f) => [path.resolve(f), []]));
  if (files.length === 0) return results;
  // --no-langdetect: language detection only yields warnings, which
  // --errors-only drops anyway; skipping it saves most of a second.
  const args = ['-jar', VNU_JAR, '--format', 'json', '--errors-only', '--no-langdetect', ...results.keys()];
  const { stderr, code } = await new Promise((resolve, reject) => {
    execFile('java', args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err); // java missing, killed, ...
      else resolve({ stderr, code: err ? err.code : 0 });
    });
  });
  let report;
  try {
    report = JSON.parse(stderr);
  } catch {
    throw new Error(`vnu (exit ${code}) did not write a JSON report:\n${stderr.slice(0, 2000)}`);
  }
  for (const msg of report.messages) {
    if (msg.type !== 'error' && msg.type !== 'non-document-error') continue;
    const file = msg.url ? fileURLToPath(msg.url) : null;
    if (file && results.has(file)) results.get(file).push(msg);
    else throw new Error(`vnu reported on an unexpected file: ${JSON.stringify(msg)}`);
  }
  return results;
}

function safePathname(url) {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
