// Browser journey for joining (issue: the catalogue): a visitor registers as aandeelhouder,
// confirms through the mail the SMTP server received, a coordinator approves, and the profile
// appears on /aandeelhouders and in /zoeken. Every page is checked as in the other journeys.
//
// Usage: BASE_URL=... MAIL_DIR=... BIN=path/to/bredeblik DATABASE_URL=... node journey-joining.mjs
import { expect, likeAPerson, newPage, requireEnv, runJourney, staffLogin, waitForMail } from './lib.mjs';

const { BASE_URL, MAIL_DIR, BIN } = requireEnv('BASE_URL', 'MAIL_DIR', 'BIN');
const NEWCOMER = 'sanne.visser@voorbeeld.nl';
const NAME = 'Sanne Visser';
const REVIEWER = 'beoordelaar@voorbeeld.nl';
await runJourney('journey-joining', async ({ browser, check }) => {
  // A visitor registers.
  const visitor = await newPage(browser, { viewport: { width: 375, height: 800 } });
  let { page, errors } = visitor;
  await page.goto(`${BASE_URL}/`);
  await page.getByRole('link', { name: 'Aandeelhouders', exact: true }).first().click();
  await page.goto(`${BASE_URL}/aandeelhouder-worden`);
  await check(page, errors, 'aanmeldformulier');
  const shownAt = Date.now();
  await page.getByLabel('Persoon (professional)').check();
  await page.getByLabel('Naam', { exact: true }).fill(NAME);
  await page.getByRole('textbox', { name: /^Organisatie/ }).fill('Wijkteam Oost');
  await page.getByLabel('Rol of beroep').fill('wijkcoach jeugd');
  await page.getByLabel('Gemeente waar u vooral werkt').selectOption({ label: 'Zwolle' });
  await page.getByLabel('Wat ik deel', { exact: true }).fill('Hoe we met ouders uit de buurt een opvoedcafé begonnen.');
  await page.getByRole('textbox', { name: 'E-mailadres' }).fill(NEWCOMER);
  await page.getByLabel('Wachtwoord', { exact: true }).fill('ouders-weten-vaak-het-best');
  await page.getByLabel('Herhaal het wachtwoord').fill('ouders-weten-vaak-het-best');
  // Consent is an act: the box starts unticked.
  const publicProfile = page.getByLabel(/profiel .*openbaar op de site/);
  expect(!(await publicProfile.isChecked()), 'the public-profile box starts unticked');
  await publicProfile.check();
  await page.getByLabel(/privacyverklaring/).check();
  // People take a few seconds; the form refuses submissions faster than that.
  await likeAPerson(page, shownAt);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: 'Bevestig uw e-mailadres' }).waitFor();
  await check(page, errors, 'aanmelding ontvangen');

  // The confirmation link from the mail shows a button; the click confirms.
  const mail = await waitForMail(MAIL_DIR, NEWCOMER, 'Bevestig');
  const link = mail.match(/https?:\/\/\S+\/aandeelhouder-worden\/bevestigen\/[0-9a-f]{64}/)?.[0];
  expect(link, 'the confirmation mail has a link');
  await page.goto(`${BASE_URL}${new URL(link).pathname}`);
  await check(page, errors, 'bevestigen');
  await page.getByRole('button', { name: 'Ja, dit is mijn e-mailadres' }).click();
  await page.getByRole('heading', { name: 'Uw e-mailadres is bevestigd' }).waitFor();
  await check(page, errors, 'bevestigd');

  // A coordinator (made with the CLI) approves.
  const coordinator = await staffLogin(browser, { bin: BIN, baseUrl: BASE_URL, email: REVIEWER, role: 'coordinator', password: 'samen-kijken-met-brede-blik' });
  ({ page, errors } = coordinator);
  await page.goto(`${BASE_URL}/beheer`);
  await page.getByRole('link', { name: 'Aanmeldingen', exact: true }).click();
  await check(page, errors, 'aanmeldingen');
  const card = page.locator('article.application', { hasText: NAME });
  await card.getByLabel(/Bericht aan de aanmelder/).fill('Welkom! Fijn dat je je ervaring met het opvoedcafé wilt delen.');
  await card.getByRole('button', { name: /Goedkeuren/ }).click();
  await page.waitForURL(/melding=goedgekeurd/);
  await check(page, errors, 'goedgekeurd');
  const welcome = await waitForMail(MAIL_DIR, NEWCOMER, 'Welkom');
  expect(welcome.includes('opvoedcaf'), 'the welcome mail carries the message');

  // The profile is public now.
  ({ page, errors } = visitor);
  await page.goto(`${BASE_URL}/aandeelhouders`);
  await page.getByRole('link', { name: NAME }).click();
  await page.getByRole('heading', { name: NAME }).waitFor();
  await check(page, errors, 'profiel');
  await page.goto(`${BASE_URL}/zoeken?q=${encodeURIComponent('Sanne')}`);
  expect(await page.getByRole('link', { name: NAME }).count() > 0, '/zoeken finds the new member');
  await check(page, errors, 'zoeken');
});
