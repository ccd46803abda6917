// Shared helpers for the browser harness: Chromium launch, error-recording
// pages, axe-core checks and batched Nu Html Checker (vnu) validation.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
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
  // The page's requests in flight, so that a caller can wait until the late ones (images,
  // fetches after load) are answered without Playwright's fixed 500 ms `networkidle` quiet time.
  let inflight = 0;
  const waiters = [];
  const answered = () => {
    inflight = Math.max(0, inflight - 1);
    if (inflight === 0) for (const wake of waiters.splice(0)) wake();
  };
  page.on('request', () => inflight++);
  page.on('requestfinished', answered);
  page.on('requestfailed', answered);
  const settled = async (timeoutMs = 5_000) => {
    if (inflight > 0) {
      await new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, timeoutMs);
      });
    }
    // A round trip to the page: DevTools events come in order, so every console message sent
    // before it has been seen when it returns.
    await page.evaluate(() => 0).catch(() => {});
  };
  return { page, errors, settled, close: () => context.close() };
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

/** Decodes a quoted-printable mail body (soft line breaks and =XX bytes). */
export function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i]));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Waits for a mail the test SMTP server wrote to `dir`; returns its decoded text. */
export async function waitForMail(dir, to, subjectPart) {
  for (let attempt = 0; attempt < 150; attempt++) {
    const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.eml')).sort().reverse();
    for (const file of files) {
      const raw = await readFile(path.join(dir, file), 'utf8');
      // Unfolded (RFC 5322 2.2.3): a long Subject continues on the next line after white space.
      const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
      if (head.includes(`X-Envelope-To: ${to}`) && head.toLowerCase().includes(subjectPart.toLowerCase())) {
        return decodeQuotedPrintable(raw);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} about "${subjectPart}" arrived in ${dir}`);
}

/**
 * Bookkeeping for a browser journey: every page on the way is checked with axe-core and for
 * console errors, and its HTML is saved for one Nu Html Checker run at the end.
 */
export class Journey {
  constructor(name) {
    this.name = name;
    this.problems = [];
    this.saved = [];
    this.steps = 0;
    this.htmlDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts', `${name}-html`);
  }

  async check(page, errors, label) {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(this.htmlDir, { recursive: true });
    this.steps++;
    for (const v of await checkAxe(page)) {
      this.problems.push(`${label}: axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
    for (const e of errors.splice(0)) this.problems.push(`${label}: ${e}`);
    const file = path.join(this.htmlDir, `${String(this.steps).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-')}.html`);
    await writeFile(file, await page.content());
    this.saved.push(file);
    this.last = label;
    this.page = page;
    console.log(`ok   ${label} (${page.url()})`);
  }

  /**
   * Validates the saved pages, prints the outcome and exits with its status. With
   * HTML_CHECK_LATER (a file), the pages are listed there instead, for the one Nu Html Checker
   * run of the crawler at the end of `make test`: every journey's own run cost a JVM start.
   */
  async finish(started) {
    if (process.env.HTML_CHECK_LATER) {
      const { appendFile } = await import('node:fs/promises');
      await appendFile(process.env.HTML_CHECK_LATER, this.saved.map((f) => `${path.resolve(f)}\n`).join(''));
    } else {
      for (const [file, messages] of await validateHtml(this.saved)) {
        for (const m of messages) this.problems.push(`${path.basename(file)}: vnu ${m.message ?? JSON.stringify(m)}`);
      }
    }
    for (const p of this.problems) console.log(`FAIL ${p}`);
    const ok = this.problems.length === 0;
    console.log(`(${this.steps} pages in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.log(`${this.name}: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`);
    process.exit(ok ? 0 : 1);
  }
}

/**
 * The environment variables a journey needs, as an object; exits with status 2 when one is
 * missing, so a journey started by hand says what to set.
 */
export function requireEnv(...names) {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`${missing.join(', ')} must be set`);
    process.exit(2);
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name]]));
}

/**
 * Runs the journey `name`: starts Chromium, calls `steps({ browser, check, journey })`, records
 * an error it throws (with where the page last checked stood then, and that check's label),
 * closes the browser and finishes: the pages are validated and the process exits with the
 * outcome.
 */
export async function runJourney(name, steps) {
  const journey = new Journey(name);
  const check = (page, errors, label) => journey.check(page, errors, label);
  const started = Date.now();
  const browser = await launchBrowser();
  try {
    await steps({ browser, check, journey });
  } catch (err) {
    const where = journey.page ? ` at ${journey.page.url()}, after the check "${journey.last}"` : ' before its first check';
    journey.problems.push(`journey stopped${where}: ${err.message}`);
  } finally {
    await browser.close();
  }
  await journey.finish(started);
}

/** Logs `email` in on `page` through the login form and waits for the account page. */
export async function logIn(page, baseUrl, email, password) {
  await page.goto(`${baseUrl}/inloggen`);
  await fillLogin(page, email, password);
}

async function fillLogin(page, email, password) {
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(/\/account$/);
}

/**
 * Waits until `ms` have passed since the form was shown at `shownAt` (`Date.now()`): public
 * forms refuse what is sent faster than a person types (the bot trap).
 */
export async function likeAPerson(page, shownAt, ms = 3500) {
  await page.waitForTimeout(Math.max(0, ms - (Date.now() - shownAt)));
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Creates a staff account with the CLI (which prints a one-time link without a terminal),
 * chooses its password through that link and logs in. Returns the page, logged in.
 */
export async function staffLogin(browser, { bin, baseUrl, email, role, password }) {
  const { execFileSync } = await import('node:child_process');
  const output = execFileSync(bin, ['admin', 'create', '--email', email, '--role', role], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  }).toString();
  const link = output.match(/https?:\/\/\S+\/wachtwoord-herstellen\/[0-9a-f]+/)?.[0];
  expect(link, `admin create printed no link: ${output}`);
  const session = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  const { page } = session;
  await page.goto(`${baseUrl}${new URL(link).pathname}`);
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill(password);
  await page.getByLabel('Herhaal het nieuwe wachtwoord').fill(password);
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await page.waitForURL(/melding=hersteld/);
  await fillLogin(page, email, password);
  return session;
}
