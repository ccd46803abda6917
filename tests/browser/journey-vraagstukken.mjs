// Browser journey for the vraagstukken: a member proposes an obstacle at
// /account/vraagstukken/nieuw, an editor approves it in /beheer/vraagstukken, the member
// proposes an alternative (a demo initiative with its why-line) from the obstacle's page, the
// editor approves that too, and a visitor finds the obstacle under its level on /vraagstukken
// and follows the alternative to the initiative. Every page is checked as in the other journeys.
//
// The member is the one journey-editorial.mjs registers and gets approved (scripts/test runs
// that journey first).
//
// Usage: BASE_URL=... MAIL_DIR=... BIN=path/to/bredeblik node journey-vraagstukken.mjs
import { expect, logIn, newPage, requireEnv, runJourney, staffLogin, waitForMail } from './lib.mjs';

const { BASE_URL, MAIL_DIR, BIN } = requireEnv('BASE_URL', 'MAIL_DIR', 'BIN');
const MEMBER = 'joris.bakker@voorbeeld.nl';
const PASSWORD = 'samen-met-school-en-wijk';
const TITLE = 'Thuiszitters wachten op een passende plek';
const SLUG = 'thuiszitters-wachten-op-een-passende-plek';
const INITIATIVE = '/initiatieven/speelkwartier-noord';
const WHY = 'Kinderen die thuiszitten vinden dichtbij huis weer een plek om mee te doen.';
await runJourney('journey-vraagstukken', async ({ browser, check }) => {
  let page;
  let errors;
  // The member proposes an obstacle from the account page.
  const member = await newPage(browser, { viewport: { width: 375, height: 800 } });
  ({ page, errors } = member);
  await logIn(page, BASE_URL, MEMBER, PASSWORD);
  await page.locator('main a[href="/account/vraagstukken"]').click();
  await page.waitForURL(/\/account\/vraagstukken$/);
  await check(page, errors, 'mijn vraagstukken');
  await page.getByRole('link', { name: 'Vraagstuk voorstellen' }).click();
  await page.waitForURL(/\/account\/vraagstukken\/nieuw$/);
  await check(page, errors, 'vraagstuk voorstellen');
  // Sent empty first: the messages, then filled in.
  await page.getByRole('button', { name: 'Voorstel indienen' }).click();
  await page.locator('.error-summary').waitFor();
  // The refused form answers 422 on purpose; Chromium logs that status as a failed load.
  const refused = (e) => e.startsWith('console.error: Failed to load resource: the server responded with a status of 422');
  errors.splice(0, errors.length, ...errors.filter((e) => !refused(e)));
  await check(page, errors, 'vraagstuk voorstellen: fouten');
  await page.getByLabel('Titel').fill(TITLE);
  await page.getByLabel('Korte beschrijving').fill('Kinderen die niet naar school gaan, wachten maanden op een plek die bij hen past.');
  await page.getByLabel(/^Toelichting/).fill('School, zorg en gemeente wijzen naar elkaar. **Intussen zit het kind thuis.**');
  await page.getByLabel('Niveau').selectOption('uitvoerend');
  await page.getByRole('button', { name: 'Voorstel indienen' }).click();
  await page.waitForURL(/melding=voorgesteld/);
  expect((await page.locator('main table').innerText()).includes('Ter beoordeling'), 'the proposal waits for review');
  await check(page, errors, 'vraagstuk voorgesteld');

  // An editor approves it from the queue.
  const editor = await staffLogin(browser, { bin: BIN, baseUrl: BASE_URL, email: 'vraagredactie@voorbeeld.nl', role: 'redacteur', password: 'hindernis-en-alternatief' });
  const editorPage = editor.page;
  await editorPage.goto(`${BASE_URL}/beheer/vraagstukken`);
  await check(editorPage, editor.errors, 'redactie: vraagstukken');
  await editorPage.locator('section[aria-labelledby="queue-title"]').getByRole('link', { name: TITLE }).click();
  await editorPage.getByRole('heading', { name: 'Voorstel ter beoordeling' }).waitFor();
  await check(editorPage, editor.errors, 'redactie: vraagstuk beoordelen');
  await editorPage.getByRole('button', { name: 'Vraagstuk goedkeuren' }).click();
  await editorPage.waitForURL(/melding=goedgekeurd/);
  await check(editorPage, editor.errors, 'redactie: goedgekeurd');
  const approved = await waitForMail(MAIL_DIR, MEMBER, 'staat op de site');
  expect(approved.includes(`/vraagstukken/${SLUG}`), 'the mail links to the obstacle');

  // The member proposes an alternative from the obstacle's page.
  await page.goto(`${BASE_URL}/vraagstukken/${SLUG}`);
  await check(page, errors, 'vraagstuk (lid)');
  await page.getByRole('link', { name: 'Stel een alternatief voor' }).click();
  await page.waitForURL(/\/account\/vraagstukken\/alternatief\?vraagstuk=/);
  await check(page, errors, 'alternatief voorstellen');
  await page.getByLabel(/^Adres van het initiatief/).fill(`${BASE_URL}${INITIATIVE}`);
  await page.getByLabel('Waarom helpt dit?').fill(WHY);
  await page.getByRole('button', { name: 'Voorstel indienen' }).click();
  await page.waitForURL(/melding=alternatief/);
  await check(page, errors, 'alternatief voorgesteld');
  await member.close?.();

  // The editor approves the alternative.
  await editorPage.goto(`${BASE_URL}/beheer/vraagstukken`);
  await editorPage.locator('section[aria-labelledby="queue-title"]').getByRole('link', { name: TITLE }).click();
  await editorPage.locator('#alternatieven').waitFor();
  await check(editorPage, editor.errors, 'redactie: alternatief beoordelen');
  await editorPage.getByRole('button', { name: /^Alternatief goedkeuren/ }).click();
  await editorPage.waitForURL(/melding=goedgekeurd/);
  await check(editorPage, editor.errors, 'redactie: alternatief goedgekeurd');

  // A visitor finds the obstacle under its level and follows the alternative.
  const visitor = await newPage(browser, { viewport: { width: 320, height: 700 } });
  ({ page, errors } = visitor);
  await page.goto(`${BASE_URL}/vraagstukken`);
  await check(page, errors, 'vraagstukken');
  const level = page.locator('section[aria-labelledby="niveau-uitvoerend"]');
  await level.getByRole('link', { name: TITLE }).click();
  await page.waitForURL(new RegExp(`/vraagstukken/${SLUG}$`));
  await check(page, errors, 'vraagstuk');
  expect((await page.locator('main').innerText()).includes(WHY), 'the why-line is shown');
  await page.locator(`main a[href="${INITIATIVE}"]`).click();
  await page.waitForURL(new RegExp(`${INITIATIVE}$`));
  await check(page, errors, 'initiatief');
  expect(await page.locator(`main a[href="/vraagstukken/${SLUG}"]`).count() > 0, 'the initiative names the obstacle it answers');
});
