// Browser journey for the newsletter (issue: news and the newsletter): a visitor subscribes
// on the home page, confirms through the mail the SMTP server received, a coordinator sends
// a campaign, the subscriber receives it and leaves with one click.
//
// Usage: BASE_URL=... MAIL_DIR=... BIN=path/to/bredeblik DATABASE_URL=... node journey-newsletter.mjs
import { expect, likeAPerson, newPage, requireEnv, runJourney, staffLogin, waitForMail } from './lib.mjs';

const { BASE_URL, MAIL_DIR, BIN } = requireEnv('BASE_URL', 'MAIL_DIR', 'BIN');
const READER = 'lezer.nieuwsbrief@voorbeeld.nl';
const SENDER = 'redactie-nieuwsbrief@voorbeeld.nl';
const SUBJECT = 'Nieuws uit het netwerk, december';
await runJourney('journey-newsletter', async ({ browser, check }) => {
  const visitor = await newPage(browser, { viewport: { width: 375, height: 800 } });
  let { page, errors } = visitor;
  await page.goto(`${BASE_URL}/`);
  const shownAt = Date.now();
  await page.getByLabel('Uw e-mailadres').fill(READER);
  await likeAPerson(page, shownAt);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: 'Bijna klaar' }).waitFor();
  await check(page, errors, 'aangemeld');

  const confirmation = await waitForMail(MAIL_DIR, READER, 'Bevestig');
  const link = confirmation.match(/https?:\/\/\S+\/nieuwsbrief\/bevestigen\/[0-9a-f]{64}/)?.[0];
  expect(link, 'the confirmation mail has a link');
  await page.goto(`${BASE_URL}${new URL(link).pathname}`);
  await check(page, errors, 'bevestigen');
  await page.getByRole('button', { name: 'Ja, ik wil de nieuwsbrief ontvangen' }).click();
  await page.getByRole('heading', { name: 'U bent aangemeld' }).waitFor();
  await check(page, errors, 'bevestigd');

  const coordinator = await staffLogin(browser, { bin: BIN, baseUrl: BASE_URL, email: SENDER, role: 'coordinator', password: 'nieuwsbrief-met-brede-blik' });
  ({ page, errors } = coordinator);
  await page.goto(`${BASE_URL}/beheer/nieuwsbrieven`);
  await check(page, errors, 'nieuwsbrieven');
  await page.getByLabel('Onderwerp', { exact: true }).fill(SUBJECT);
  await page.getByLabel('Inleiding (Markdown)').fill('Beste lezer,\n\nDeze maand **drie nieuwe voorbeelden** uit het netwerk.');
  await page.locator('input[name="nieuws"]').first().check();
  await page.getByRole('button', { name: 'Concept opslaan' }).click();
  await page.waitForURL(/\/beheer\/nieuwsbrieven\/\d+$/);
  await check(page, errors, 'concept');
  // A free text block after the news item; the preview frame shows the mail as it will look.
  await page.getByLabel('Kop van een nieuw tekstblok').fill('Agenda');
  await page.getByLabel('Tekst van een nieuw tekstblok (Markdown)').fill('Op **12 december** een [bijeenkomst](https://voorbeeld.nl/agenda).');
  await page.getByRole('button', { name: 'Inhoud opslaan' }).first().click();
  await page.waitForURL(/melding=inhoud/);
  await page.frameLocator('iframe[title="Voorbeeld van de nieuwsbrief"]').getByRole('heading', { name: 'Agenda' }).waitFor();
  await check(page, errors, 'blokken');
  await page.getByRole('button', { name: 'Nu versturen' }).click();
  await page.waitForURL(/melding=versturen/);
  await check(page, errors, 'versturen');
  // The progress updates itself (JavaScript) until the campaign is sent.
  await page.locator('[data-field="status"]', { hasText: 'verzonden' }).waitFor({ timeout: 30_000 });
  expect((await page.locator('progress').getAttribute('value')) === '100', 'the progress bar is full');

  // The subscriber receives it and leaves with one click.
  const newsletter = await waitForMail(MAIL_DIR, READER, SUBJECT);
  expect(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/.test(newsletter), 'RFC 8058 header');
  const leave = newsletter.match(/https?:\/\/\S+\/nieuwsbrief\/afmelden\/[0-9a-f]{48}/)?.[0];
  expect(leave, 'the newsletter has an unsubscribe link');
  ({ page, errors } = visitor);
  await page.goto(`${BASE_URL}${new URL(leave).pathname}`);
  await check(page, errors, 'afmelden');
  await page.getByRole('button', { name: 'Afmelden' }).click();
  await page.getByText('U ontvangt de nieuwsbrief niet meer').waitFor();
  await check(page, errors, 'afgemeld');
  await page.goto(`${BASE_URL}/nieuwsbrief/archief`);
  await page.getByRole('link', { name: SUBJECT }).click();
  await check(page, errors, 'archief');
});
