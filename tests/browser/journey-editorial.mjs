// Browser journey for the editorial workflow: a newcomer becomes an approved aandeelhouder,
// proposes an initiative with a logo at /account/initiatieven/nieuw, an editor approves it from
// the review queue at /beheer/initiatieven, the public page shows it with the logo, and the
// owner gets the mail. Every page is checked as in the other journeys.
//
// Usage: BASE_URL=... MAIL_DIR=... BIN=path/to/bredeblik DATABASE_URL=... node journey-editorial.mjs
import { expect, likeAPerson, logIn, newPage, requireEnv, runJourney, staffLogin, waitForMail } from './lib.mjs';

const { BASE_URL, MAIL_DIR, BIN } = requireEnv('BASE_URL', 'MAIL_DIR', 'BIN');
const OWNER = 'joris.bakker@voorbeeld.nl';
const OWNER_NAME = 'Joris Bakker';
const PASSWORD = 'samen-met-school-en-wijk';
const INITIATIVE = 'Huiswerkklas in de wijk';
const SLUG = 'huiswerkklas-in-de-wijk';
// A 24 × 24 blue PNG, as a member would pick from disk.
const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAAH0lEQVR42mOQi1pFFcQwatCoQaMGjRo0atCoQQNvEAAUoIyf1ItS5wAAAABJRU5ErkJggg==',
  'base64',
);
await runJourney('journey-editorial', async ({ browser, check }) => {
  let page;
  let errors;
  // A newcomer registers and confirms; a coordinator approves them.
  const member = await newPage(browser, { viewport: { width: 375, height: 800 } });
  ({ page, errors } = member);
  await page.goto(`${BASE_URL}/aandeelhouder-worden`);
  const shownAt = Date.now();
  await page.getByLabel('Persoon (professional)').check();
  await page.getByLabel('Naam', { exact: true }).fill(OWNER_NAME);
  await page.getByRole('textbox', { name: /^Organisatie/ }).fill('Buurthuis De Brug');
  await page.getByLabel('Rol of beroep').fill('jongerenwerker');
  await page.getByLabel('Gemeente waar u vooral werkt').selectOption({ label: 'Zwolle' });
  await page.getByLabel('Wat ik deel', { exact: true }).fill('Hoe een huiswerkklas in het buurthuis school en wijk verbindt.');
  await page.getByRole('textbox', { name: 'E-mailadres' }).fill(OWNER);
  await page.getByLabel('Wachtwoord', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Herhaal het wachtwoord').fill(PASSWORD);
  await page.getByLabel(/privacyverklaring/).check();
  // People take a few seconds; the form refuses submissions faster than that.
  await likeAPerson(page, shownAt);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: 'Bevestig uw e-mailadres' }).waitFor();
  const mail = await waitForMail(MAIL_DIR, OWNER, 'Bevestig');
  const link = mail.match(/https?:\/\/\S+\/aandeelhouder-worden\/bevestigen\/[0-9a-f]{64}/)?.[0];
  expect(link, 'the confirmation mail has a link');
  await page.goto(`${BASE_URL}${new URL(link).pathname}`);
  await page.getByRole('button', { name: 'Ja, dit is mijn e-mailadres' }).click();
  await page.getByRole('heading', { name: 'Uw e-mailadres is bevestigd' }).waitFor();

  const coordinator = await staffLogin(browser, { bin: BIN, baseUrl: BASE_URL, email: 'coordinator.redactie@voorbeeld.nl', role: 'coordinator', password: 'iedereen-doet-mee-in-de-wijk' });
  ({ page, errors } = coordinator);
  await page.goto(`${BASE_URL}/beheer/aanmeldingen`);
  await page.locator('article.application', { hasText: OWNER_NAME }).getByRole('button', { name: /Goedkeuren/ }).click();
  await page.waitForURL(/melding=goedgekeurd/);
  await waitForMail(MAIL_DIR, OWNER, 'Welkom');
  await coordinator.close();

  // The member logs in and proposes an initiative with a logo.
  ({ page, errors } = member);
  await logIn(page, BASE_URL, OWNER, PASSWORD);
  await page.locator('main a[href="/account/initiatieven"]').click();
  await page.waitForURL(/\/account\/initiatieven$/);
  await check(page, errors, 'mijn initiatieven');
  await page.getByRole('link', { name: 'Nieuw initiatief aanmelden' }).click();
  await page.waitForURL(/\/account\/initiatieven\/nieuw$/);
  await check(page, errors, 'nieuw initiatief');
  await page.getByLabel('Naam van het initiatief').fill(INITIATIVE);
  await page.getByLabel('Samenvatting').fill('Na schooltijd maken kinderen hun huiswerk in het buurthuis, met hulp van vrijwilligers en de jeugdwerker.');
  await page.getByLabel('Beschrijving (Markdown)').fill('## Zo werkt het\n\nElke **dinsdag en donderdag** na school.');
  await page.locator('input[name="thema"]').first().check();
  await page.getByLabel('Regio').selectOption({ label: 'Zwolle' });
  await page.getByLabel('Logo (niet verplicht)').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: LOGO_PNG });
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
  await page.getByRole('heading', { name: 'Voorbeeld' }).waitFor();
  expect(await page.getByAltText(`Logo van ${INITIATIVE}`).count() === 1, 'the preview shows the logo');
  await check(page, errors, 'voorbeeld');
  // The logo travels with the form (hidden field) and needs no second upload.
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.waitForURL(/melding=aangemeld/);
  await check(page, errors, 'aangemeld');

  // An editor opens the review queue and approves.
  const editor = await staffLogin(browser, { bin: BIN, baseUrl: BASE_URL, email: 'eindredactie@voorbeeld.nl', role: 'redacteur', password: 'goed-nieuws-uit-de-regio' });
  ({ page, errors } = editor);
  await page.goto(`${BASE_URL}/beheer/initiatieven`);
  await check(page, errors, 'redactie: initiatieven');
  await page.locator('section[aria-labelledby="queue-title"]').getByRole('link', { name: INITIATIVE }).click();
  await page.getByRole('heading', { name: 'Nieuw initiatief ter beoordeling' }).waitFor();
  expect(await page.locator('input[name="logo_huidig"]').count() === 1, 'the editor sees the proposed logo');
  await check(page, errors, 'redactie: beoordeling');
  await page.getByLabel(/Bericht aan de indiener/).fill('Mooi initiatief, het staat erop!');
  await page.getByRole('button', { name: 'Goedkeuren' }).click();
  await page.waitForURL(/melding=goedgekeurd/);
  await check(page, errors, 'redactie: goedgekeurd');

  // The public page shows the initiative with its logo.
  const visitor = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  ({ page, errors } = visitor);
  await page.goto(`${BASE_URL}/initiatieven/${SLUG}`);
  await page.getByRole('heading', { name: INITIATIVE, level: 1 }).waitFor();
  const logo = page.getByAltText(`Logo van ${INITIATIVE}`);
  expect(await logo.count() === 1, 'the public page shows the logo');
  expect(await logo.evaluate((img) => img.complete && img.naturalWidth === 24), 'the logo image loads');
  await check(page, errors, 'openbare pagina');

  const approved = await waitForMail(MAIL_DIR, OWNER, 'staat op Brede Blik');
  expect(approved.includes('Mooi initiatief, het staat erop!'), 'the mail carries the editor\'s message');
  expect(approved.includes(`/initiatieven/${SLUG}`), 'the mail links to the page');
});
