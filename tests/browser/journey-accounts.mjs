// Browser journey for accounts (issue: accounts, roles, e-mail):
// an admin created with the CLI sets a password through the printed link, logs in, creates a
// coordinator and logs out; the coordinator resets a forgotten password through the link in
// the mail the SMTP server received and logs in with it. Every page on the way is checked
// with axe-core and for console errors; their HTML goes through the Nu Html Checker.
//
// Usage: BASE_URL=... MAIL_DIR=... BIN=path/to/bredeblik DATABASE_URL=... node journey-accounts.mjs
import { execFileSync } from 'node:child_process';
import { expect, newPage, requireEnv, runJourney, waitForMail } from './lib.mjs';

const { BASE_URL, MAIL_DIR, BIN } = requireEnv('BASE_URL', 'MAIL_DIR', 'BIN');
const ADMIN = 'beheerder@voorbeeld.nl';
const COORDINATOR = 'coordinator@voorbeeld.nl';

await runJourney('journey-accounts', async ({ browser, check }) => {
  // 1. The CLI prints a one-time link when it has no terminal to ask for a password.
  const output = execFileSync(BIN, ['admin', 'create', '--email', ADMIN, '--role', 'beheerder'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  }).toString();
  const setLink = output.match(/https?:\/\/\S+\/wachtwoord-herstellen\/[0-9a-f]+/)?.[0];
  expect(setLink, `admin create printed no link: ${output}`);
  const setPath = new URL(setLink).pathname;

  const { page, errors } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${BASE_URL}${setPath}`);
  await check(page, errors, 'wachtwoord kiezen');
  const adminPassword = 'beheer-met-een-brede-blik';
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill(adminPassword);
  await page.getByLabel('Herhaal het nieuwe wachtwoord').fill(adminPassword);
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await page.waitForURL(/\/inloggen\?melding=hersteld/);
  await check(page, errors, 'inloggen na wachtwoord');

  // 2. The admin logs in and creates a coordinator.
  await page.getByLabel('E-mailadres').fill(ADMIN);
  await page.getByLabel('Wachtwoord', { exact: true }).fill(adminPassword);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(/\/account$/);
  await check(page, errors, 'mijn account beheerder');
  await page.getByRole('link', { name: 'Beheer', exact: true }).click();
  await page.waitForURL(/\/beheer$/);
  await check(page, errors, 'beheer');
  await page.getByRole('link', { name: 'Gebruikers', exact: true }).click();
  await check(page, errors, 'gebruikers');
  await page.locator('#new-email').fill(COORDINATOR);
  await page.locator('#new-role').selectOption('coordinator');
  await page.getByRole('button', { name: 'Gebruiker aanmaken' }).click();
  await page.waitForURL(/melding=aangemaakt/);
  await check(page, errors, 'gebruiker aangemaakt');
  expect((await page.content()).includes(COORDINATOR), 'the new coordinator is listed');
  await page.goto(`${BASE_URL}/beheer/audit`);
  await check(page, errors, 'auditlog');
  await page.goto(`${BASE_URL}/beheer/e-mail`);
  await check(page, errors, 'e-mail');
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await page.waitForURL(/melding=uitgelogd/);
  await check(page, errors, 'uitgelogd');

  // 3. The coordinator forgot the password and resets it through the mailed link.
  await page.getByRole('link', { name: 'Wachtwoord vergeten?' }).click();
  await check(page, errors, 'wachtwoord vergeten');
  await page.getByLabel('E-mailadres').fill(COORDINATOR);
  await page.getByRole('button', { name: 'Stuur mij een link' }).click();
  await page.getByText('Als dit e-mailadres bij ons bekend is').waitFor();
  await check(page, errors, 'link verstuurd');
  const mail = await waitForMail(MAIL_DIR, COORDINATOR, 'nieuw wachtwoord');
  const resetLink = mail.match(/https?:\/\/\S+\/wachtwoord-herstellen\/[0-9a-f]{64}/)?.[0];
  expect(resetLink, 'the reset mail contains a link');
  await page.goto(`${BASE_URL}${new URL(resetLink).pathname}`);
  const coordinatorPassword = 'coordineren-is-verbinden';
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill(coordinatorPassword);
  await page.getByLabel('Herhaal het nieuwe wachtwoord').fill(coordinatorPassword);
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await page.waitForURL(/melding=hersteld/);
  await page.getByLabel('E-mailadres').fill(COORDINATOR);
  await page.getByLabel('Wachtwoord', { exact: true }).fill(coordinatorPassword);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(/\/account$/);
  await check(page, errors, 'mijn account coordinator');
  expect((await page.content()).includes('Coördinator'), 'the account page shows the role');

  // 4. A coordinator may not manage users.
  const forbidden = await page.goto(`${BASE_URL}/beheer/gebruikers`);
  expect(forbidden.status() === 403, `coordinator on /beheer/gebruikers got ${forbidden.status()}`);
  errors.splice(0); // the 403 itself is logged by Chromium as a failed resource
  await check(page, errors, 'geen toegang');
});
