// Browser journey for the kennisbank: an approved aandeelhouder proposes a publication at
// /account/kennisbank/nieuw (with a preview), an editor approves it from the review queue at
// /beheer/kennisbank, and a visitor on a 320 px screen reaches the kennisbank from the main
// navigation, finds the publication by a misspelt word and a facet, and downloads its BibTeX.
// Every page is checked as in the other journeys.
//
// The member is the one journey-editorial.mjs registers and gets approved (scripts/test runs
// that journey first).
//
// Usage: BASE_URL=... MAIL_DIR=... BIN=path/to/bredeblik node journey-kennisbank.mjs
import { readFileSync } from 'node:fs';
import { expect, logIn, newPage, requireEnv, runJourney, staffLogin, waitForMail } from './lib.mjs';

const { BASE_URL, MAIL_DIR, BIN } = requireEnv('BASE_URL', 'MAIL_DIR', 'BIN');
const MEMBER = 'joris.bakker@voorbeeld.nl';
const PASSWORD = 'samen-met-school-en-wijk';
const TITLE = 'Buitenspelen als medicijn';
const SLUG = 'buitenspelen-als-medicijn';
await runJourney('journey-kennisbank', async ({ browser, check }) => {
  let page;
  let errors;
  // The member proposes a publication, looks at the preview first.
  const member = await newPage(browser, { viewport: { width: 375, height: 800 } });
  ({ page, errors } = member);
  await logIn(page, BASE_URL, MEMBER, PASSWORD);
  await page.locator('main a[href="/account/kennisbank"]').click();
  await page.waitForURL(/\/account\/kennisbank$/);
  await check(page, errors, 'mijn publicaties');
  await page.getByRole('link', { name: 'Publicatie voorstellen' }).click();
  await page.waitForURL(/\/account\/kennisbank\/nieuw$/);
  await check(page, errors, 'publicatie voorstellen');
  await page.getByLabel('Titel').fill(TITLE);
  await page.getByLabel(/^Auteurs/).fill('Joris | | Bakker\nJan Willem | van der | Berg');
  await page.getByLabel(/^Jaar/).fill('2024');
  await page.getByLabel('Soort').selectOption('artikel');
  await page.getByLabel(/^Samenvatting/).fill('Waarom **buiten spelen** kinderen sterker maakt, en wat de wijk kan doen.');
  await page.getByLabel(/^Webadres/).fill('https://example.org/buitenspelen');
  await page.getByLabel(/^DOI/).fill('10.1234/buiten.2024');
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
  await page.getByRole('heading', { name: 'Voorbeeld' }).waitFor();
  expect((await page.locator('.preview').innerText()).includes('Bakker, J., en Berg, J. W. van der (2024).'), 'the preview shows the APA reference');
  await check(page, errors, 'voorbeeld');
  await page.getByRole('button', { name: 'Voorstel indienen' }).click();
  await page.waitForURL(/melding=voorgesteld/);
  await check(page, errors, 'voorgesteld');
  await member.close?.();

  // An editor approves it from the queue.
  const editor = await staffLogin(browser, { bin: BIN, baseUrl: BASE_URL, email: 'kennisredactie@voorbeeld.nl', role: 'redacteur', password: 'lezen-leren-delen-doen' });
  ({ page, errors } = editor);
  await page.goto(`${BASE_URL}/beheer/kennisbank`);
  await check(page, errors, 'redactie: kennisbank');
  await page.locator('section[aria-labelledby="queue-title"]').getByRole('link', { name: TITLE }).click();
  await page.getByRole('heading', { name: 'Voorstel ter beoordeling' }).waitFor();
  await check(page, errors, 'redactie: beoordeling');
  await page.getByLabel(/Bericht aan de indiener/).fill('Dank, een mooie aanvulling.');
  await page.getByRole('button', { name: 'Goedkeuren' }).click();
  await page.waitForURL(/melding=goedgekeurd/);
  await check(page, errors, 'redactie: goedgekeurd');
  const approved = await waitForMail(MAIL_DIR, MEMBER, 'staat in de kennisbank');
  expect(approved.includes(`/kennisbank/${SLUG}`), 'the mail links to the publication');

  // A visitor on a small screen: the main navigation leads to the kennisbank by keyboard.
  const visitor = await newPage(browser, { viewport: { width: 320, height: 700 }, acceptDownloads: true });
  ({ page, errors } = visitor);
  await page.goto(`${BASE_URL}/`);
  const navLink = page.locator('nav.main-nav').getByRole('link', { name: 'Kennisbank' });
  expect(await navLink.isVisible(), 'Kennisbank is in the main navigation at 320 px');
  await navLink.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/kennisbank$/);
  await check(page, errors, 'kennisbank');
  // A misspelt word, then a facet.
  await page.getByLabel('Zoekterm').fill('buitenspeln');
  await page.getByRole('button', { name: 'Toon resultaten' }).click();
  await page.waitForURL(/q=buitenspeln/);
  await page.getByLabel(/^Artikel/).check();
  await page.waitForURL(/soort=artikel/);
  await check(page, errors, 'kennisbank: gezocht en verfijnd');
  await page.getByRole('link', { name: TITLE }).click();
  await page.waitForURL(new RegExp(`/kennisbank/${SLUG}$`));
  await check(page, errors, 'publicatie');
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'BibTeX' }).click();
  const download = await downloading;
  expect(download.suggestedFilename() === `${SLUG}.bib`, `the BibTeX file is named after the record (${download.suggestedFilename()})`);
  const bib = readFileSync(await download.path(), 'utf8');
  expect(bib.startsWith('@article{'), 'the download is a BibTeX article');
  expect(bib.includes(`title = {{${TITLE}}}`), 'the BibTeX holds the title');
  expect(bib.includes('van der Berg, Jan Willem'), 'the BibTeX keeps the particle with the family name');
});
