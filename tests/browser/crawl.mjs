// Breadth-first crawl of the running app: every same-origin page must answer
// < 400, have no axe (WCAG 2.x A/AA) violations, log no console or page
// errors, and pass the Nu Html Checker. Usage: BASE_URL=http://127.0.0.1:PORT node crawl.mjs
// With BIN (the bredeblik binary; DATABASE_URL as the server's) it then logs in as a new
// beheerder and crawls /beheer and /account the same way.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAxe, launchBrowser, newPage, staffLogin, validateHtml } from './lib.mjs';

const MAX_URLS = 300;
const MAX_QUERY_VARIANTS = 3; // per path, besides the bare path itself
// Detail pages of one kind share a template: 40 of them (e.g. /regios/*) say as much as 342.
const MAX_PER_SECTION = 40;
const perSection = new Map();
const MIN_PAGES = 5;
const NAV_TIMEOUT_MS = 30_000;
const ACCEPT_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const here = path.dirname(fileURLToPath(import.meta.url));
const htmlDir = path.join(here, 'artifacts', 'html');

if (!process.env.BASE_URL) {
  console.error('BASE_URL is not set, e.g. BASE_URL=http://127.0.0.1:8080 node crawl.mjs');
  process.exit(2);
}
const origin = new URL(process.env.BASE_URL).origin;
const startUrl = normalise(`${process.env.BASE_URL.replace(/\/+$/, '')}/`);

const seen = new Set();
const queryVariants = new Map(); // pathname -> Set of search strings
const referrers = new Map(); // url -> Set of page urls that link to it
const queue = [];
const capped = new Set(); // URLs left out by the limits

// During the logged-in pass: the session's Cookie header, and only back-office and account
// pages are followed (the public ones were crawled anonymously).
let cookieHeader = null;
const STAFF_PATHS = /^\/(beheer|account)(\/|$)/;

const pages = []; // { url, status, file, problems: [{ kind, text, details? }] }
const resources = []; // non-HTML responses and redirects: { url, status, note, ok }

/** Absolute same-origin http(s) URL without fragment and with sorted query, or null. */
function normalise(href, base) {
  let u;
  try {
    u = new URL(href, base);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== origin) return null;
  u.hash = '';
  u.searchParams.sort(); // stable: repeated keys keep their order
  if (u.search === '?') u.search = '';
  return u.href;
}

function isLogout(url) {
  return /\/uitloggen(\/|$)/.test(new URL(url).pathname);
}

function enqueue(url, from) {
  if (from) {
    if (!referrers.has(url)) referrers.set(url, new Set());
    referrers.get(url).add(from);
  }
  if (seen.has(url) || isLogout(url)) return;
  const { pathname, search } = new URL(url);
  if (cookieHeader && !STAFF_PATHS.test(pathname)) return;
  const variants = queryVariants.get(pathname) ?? new Set();
  const segments = pathname.split('/').filter(Boolean);
  const section = segments.length >= 2 ? `/${segments[0]}/*${segments.length}` : null;
  const inSection = section ? (perSection.get(section) ?? 0) : 0;
  if (seen.size >= MAX_URLS || (search && variants.size >= MAX_QUERY_VARIANTS) || (section && !search && inSection >= MAX_PER_SECTION)) {
    capped.add(url);
    return;
  }
  if (section && !search) perSection.set(section, inSection + 1);
  if (search) variants.add(search);
  queryVariants.set(pathname, variants);
  seen.add(url);
  queue.push(url);
}

// Runs inside the page: every <a href>/<area href> and <link rel=alternate>
// (feeds), plus the URL each GET form would navigate to when submitted as-is
// with its default button.
function extractLinks() {
  const hasNofollow = (el) => (el.getAttribute('rel') || '').toLowerCase().split(/\s+/).includes('nofollow');
  const out = [];
  for (const a of document.querySelectorAll('a[href], area[href], link[rel~="alternate" i][href]')) {
    // SVG links (the region maps) expose href as an SVGAnimatedString, not a string.
    const href = typeof a.href === 'string' ? a.href : new URL(a.href.baseVal, document.baseURI).href;
    if (!hasNofollow(a)) out.push(href);
  }
  for (const form of document.forms) {
    if (hasNofollow(form)) continue;
    const submitter = [...form.elements].find((el) => el.type === 'submit' && !el.disabled) ?? null;
    const method = submitter?.hasAttribute('formmethod') ? submitter.formMethod : form.method;
    if (method !== 'get') continue;
    const action = submitter?.hasAttribute('formaction') ? submitter.formAction : form.action;
    let data;
    try {
      data = new FormData(form, submitter); // includes the submitter's name=value
    } catch {
      data = new FormData(form);
    }
    const params = new URLSearchParams();
    for (const [name, value] of data) params.append(name, typeof value === 'string' ? value : value.name);
    const url = new URL(action);
    url.search = params.toString(); // a GET submission replaces the action's query
    out.push(url.href);
  }
  return out;
}

function fileNameFor(index, url) {
  const { pathname, search } = new URL(url);
  const slug = (pathname.replace(/\.html?$/, '') + search).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80);
  return `${String(index).padStart(3, '0')}-${slug || 'root'}.html`;
}

// One tab for the whole crawl: a fresh page per URL would start a new
// renderer and re-parse axe-core cold every time (about 3x slower).
let tab = null;

async function visitPage(browser, url) {
  const entry = { url, status: null, file: null, problems: [] };
  pages.push(entry);
  tab ??= await newPage(browser);
  const { page, errors, settled } = tab;
  errors.length = 0;
  try {
    const response = await page.goto(url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
    // Late requests (and their console errors) are answered before the page is judged.
    await settled();
    entry.status = response?.status() ?? null;
    if (entry.status === null || entry.status >= 400) {
      entry.problems.push({ kind: 'status', text: `HTTP status ${entry.status}` });
    }
    if (response) {
      entry.file = path.join(htmlDir, fileNameFor(pages.length, url));
      await writeFile(entry.file, await response.body());
    }
    for (const v of await checkAxe(page)) {
      const targets = v.nodes.map((n) => n.target.flat().join(' >>> '));
      entry.problems.push({
        kind: 'axe',
        text: `${v.id} [${v.impact}] ${v.help}`,
        details: [...targets.slice(0, 10).map((t) => `target: ${t}`),
          ...(targets.length > 10 ? [`… and ${targets.length - 10} more`] : []), v.helpUrl],
      });
    }
    for (const href of await page.evaluate(extractLinks)) {
      const next = normalise(href, page.url());
      if (next) enqueue(next, url);
    }
  } catch (err) {
    entry.problems.push({ kind: 'error', text: err.message.split('\n')[0] });
    // The tab may be stuck mid-navigation: start the next page in a new one.
    await tab.close().catch(() => {});
    tab = null;
  }
  for (const e of errors) {
    // The document's own 404/500 is already reported as its status.
    const ownStatus = e.startsWith('console.error: Failed to load resource') && e.endsWith(`(${url})`);
    if (!ownStatus) entry.problems.push({ kind: 'browser', text: e });
  }
}

function linkedFrom(url) {
  const from = [...(referrers.get(url) ?? [])];
  return from.length ? [`linked from: ${from.slice(0, 5).join(', ')}${from.length > 5 ? ', …' : ''}`] : [];
}

async function visit(browser, url) {
  // A plain fetch first: it tells HTML from feeds/downloads (which the
  // browser would render as a viewer or turn into a download) and shows
  // server-side redirects.
  let res;
  try {
    const headers = { accept: ACCEPT_HTML, ...(cookieHeader ? { cookie: cookieHeader } : {}) };
    res = await fetch(url, { headers, redirect: 'follow' });
  } catch (err) {
    pages.push({ url, status: null, file: null, problems: [{ kind: 'error', text: `fetch failed: ${err.cause?.message ?? err.message}` }] });
    return;
  }
  await res.body?.cancel();
  const finalUrl = res.redirected ? normalise(res.url) : url;
  if (finalUrl !== url) {
    // A same-origin target is checked on its own, so only judge off-site ones here.
    resources.push({ url, status: res.status, note: `redirects to ${res.url}`, ok: finalUrl !== null || res.status < 400 });
    // Whoever links to the redirect counts as linking to its target.
    for (const from of referrers.get(url) ?? [null]) if (finalUrl) enqueue(finalUrl, from);
    return;
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml') {
    await visitPage(browser, url);
  } else {
    resources.push({ url, status: res.status, note: type || 'no content-type', ok: res.status < 400 });
  }
}

function report(vnuResults, seconds) {
  for (const r of resources.filter((r) => !r.ok)) {
    // A broken feed/download link fails the pages that link to it.
    for (const from of referrers.get(r.url) ?? []) {
      const page = pages.find((p) => p.url === from);
      page?.problems.push({ kind: 'link', text: `link to ${r.url} answered HTTP ${r.status} (${r.note})` });
    }
  }
  for (const page of pages) {
    for (const p of page.problems) if (p.kind === 'status') p.details = linkedFrom(page.url);
    for (const m of (page.file && vnuResults.get(page.file)) || []) {
      const where = m.lastLine ? `line ${m.lastLine}${m.firstColumn ? `:${m.firstColumn}` : ''}` : 'no line';
      page.problems.push({
        kind: 'vnu',
        text: `${m.message} (${where})`,
        details: m.extract ? [`extract: ${JSON.stringify(m.extract)}`] : [],
      });
    }
  }

  for (const page of pages) {
    const n = page.problems.length;
    console.log(`${n ? 'FAIL' : 'ok  '} ${page.status ?? '---'} ${page.url} ${n} problem${n === 1 ? '' : 's'}`);
  }
  for (const r of resources) {
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.status} ${r.url} (not crawled: ${r.note})`);
  }
  if (capped.size) console.log(`(${capped.size} URL(s) not followed: over ${MAX_URLS} URLs, ${MAX_QUERY_VARIANTS} query variants per path or ${MAX_PER_SECTION} pages per section)`);

  const failed = pages.filter((p) => p.problems.length);
  for (const page of failed) {
    console.log(`\n${page.url}${page.file ? `  [${path.relative(here, page.file)}]` : ''}`);
    for (const p of page.problems) {
      console.log(`  ${p.kind}: ${p.text}`);
      for (const d of p.details ?? []) console.log(`      ${d}`);
    }
  }
  const reached = pages.filter((p) => p.status !== null && p.status < 400).length;
  if (reached < MIN_PAGES) {
    console.log(`\nonly ${reached} page(s) reached from ${startUrl}; expected at least ${MIN_PAGES}`);
  }
  console.log(`\n(${pages.length} pages and ${resources.length} other URLs in ${seconds.toFixed(1)} s)`);
  console.log(`crawl: ${pages.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 && reached >= MIN_PAGES;
}

const started = Date.now();
await rm(htmlDir, { recursive: true, force: true });
await mkdir(htmlDir, { recursive: true });
const browser = await launchBrowser();
try {
  enqueue(startUrl, null);
  while (queue.length) await visit(browser, queue.shift());
  if (process.env.BIN) {
    const baseUrl = process.env.BASE_URL.replace(/\/+$/, '');
    const staff = await staffLogin(browser, {
      bin: process.env.BIN,
      baseUrl,
      email: `crawler-${Date.now()}@voorbeeld.nl`,
      role: 'beheerder',
      password: 'langs-alle-beheerpaginas',
    });
    await tab?.close();
    tab = staff;
    cookieHeader = (await staff.page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    seen.clear();
    queryVariants.clear();
    perSection.clear();
    const before = pages.length;
    enqueue(normalise(`${baseUrl}/beheer`), null);
    enqueue(normalise(`${baseUrl}/account`), null);
    while (queue.length) await visit(browser, queue.shift());
    console.log(`(logged in as beheerder: ${pages.length - before} pages)`);
  }
} finally {
  await browser.close();
}
// The journeys' pages (HTML_CHECK_LATER) go through the same Nu Html Checker run.
const journeyFiles = process.env.HTML_CHECK_LATER
  ? (await readFile(process.env.HTML_CHECK_LATER, 'utf8').catch(() => '')).split('\n').filter(Boolean)
  : [];
const vnuResults = await validateHtml([...pages.filter((p) => p.file).map((p) => p.file), ...journeyFiles]);
let journeyProblems = 0;
for (const file of journeyFiles) {
  for (const m of vnuResults.get(path.resolve(file)) ?? []) {
    journeyProblems++;
    console.log(`FAIL journey page ${path.relative(here, file)}: vnu ${m.message} (line ${m.lastLine ?? '?'})`);
  }
}
if (journeyFiles.length) {
  console.log(`(journey pages checked by the Nu Html Checker: ${journeyFiles.length}, ${journeyProblems} problem(s))`);
}
const ok = report(vnuResults, (Date.now() - started) / 1000) && journeyProblems === 0;
process.exit(ok ? 0 : 1);
