// Browser journey for Verbinden (issue 16): two members turn findability on, see each other
// suggested with a reason, one writes to the other through the relay, and the mail arrives at
// the SMTP server with the writer as Reply-To, while no page showed the recipient's address.
// Every page is checked as in the other journeys.
//
// Usage: BASE_URL=... MAIL_DIR=... BIN=path/to/bredeblik DATABASE_URL=... node journey-verbinden.mjs
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, requireEnv, runJourney, staffLogin, waitForMail } from './lib.mjs';

const { BASE_URL, MAIL_DIR, BIN, DATABASE_URL } = requireEnv('BASE_URL', 'MAIL_DIR', 'BIN', 'DATABASE_URL');
const ANNA = { email: 'anna.verbinden@voorbeeld.nl', name: 'Anna Verbinden', slug: 'anna-verbinden', region: 'GM0344' };
const BRAM = { email: 'bram.verbinden@voorbeeld.nl', name: 'Bram Verbinden', slug: 'bram-verbinden', region: 'GM0355' };
const PASSWORD = 'samen-werken-aan-de-klas';

/** An approved public member profile for an account, on two themes, not yet findable. */
function profileFor(person) {
  const sql = `
    INSERT INTO members (slug, name, kind, organisation, role, offer, public_profile, status, user_id, region_id)
    SELECT '${person.slug}', '${person.name}', 'persoon', 'Wijkteam', 'jeugdprofessional', 'Ervaring met ouders en school', true,
           'goedgekeurd', u.id, (SELECT id FROM regions WHERE code = '${person.region}')
    FROM users u WHERE u.email = '${person.email}';
    INSERT INTO member_themes SELECT m.id, t.id FROM members m, themes t
    WHERE m.slug = '${person.slug}' AND t.slug IN ('passend-onderwijs', 'ouders-en-gezin');`;
  execFileSync('psql', [DATABASE_URL, '-qv', 'ON_ERROR_STOP=1', '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}

await runJourney('journey-verbinden', async ({ browser, check, journey }) => {
  const sessions = {};
  for (const person of [ANNA, BRAM]) {
    sessions[person.slug] = await staffLogin(browser, { bin: BIN, baseUrl: BASE_URL, email: person.email, role: 'aandeelhouder', password: PASSWORD });
    profileFor(person);
    // Both choices start off; the member turns them on.
    const { page, errors } = sessions[person.slug];
    await page.goto(`${BASE_URL}/account/profiel`);
    const suggest = page.getByLabel('Ik mag aan andere leden worden voorgesteld');
    const write = page.getByLabel('Andere leden mogen mij schrijven');
    expect(!(await suggest.isChecked()) && !(await write.isChecked()), 'both choices start unticked');
    await check(page, errors, `profiel ${person.slug}`);
    await suggest.check();
    await write.check();
    await page.getByRole('button', { name: 'Profiel opslaan' }).click();
    await page.waitForURL(/melding=opgeslagen/);
    expect(await suggest.isChecked(), 'the choice is saved');
    await check(page, errors, `profiel opgeslagen ${person.slug}`);
  }

  // Each sees the other suggested, with the reason in words.
  for (const [me, other, where] of [[ANNA, BRAM, 'in de buurgemeente Zeist'], [BRAM, ANNA, 'in de buurgemeente Utrecht']]) {
    const { page, errors } = sessions[me.slug];
    await page.goto(`${BASE_URL}/account`);
    const block = page.locator('#verbinden');
    await block.getByRole('heading', { name: 'Mensen om mee te praten' }).waitFor();
    const item = block.locator('li', { hasText: other.name });
    expect(await item.count() === 1, `${me.name} sees ${other.name} suggested`);
    const reason = await item.locator('.reason').innerText();
    expect(reason.includes('ook actief op Ouders en gezin en Passend onderwijs') || reason.includes('ook actief op Passend onderwijs en Ouders en gezin'), `reason: ${reason}`);
    expect(reason.includes(where), `reason names the neighbour: ${reason}`);
    await check(page, errors, `suggesties ${me.slug}`);
  }

  // Anna follows the suggestion and writes to Bram through the relay.
  const { page, errors } = sessions[ANNA.slug];
  await page.locator('#verbinden').getByRole('link', { name: BRAM.name }).click();
  await page.getByRole('heading', { name: BRAM.name, level: 1 }).waitFor();
  await check(page, errors, 'profiel bram');
  await page.getByRole('link', { name: `Stuur ${BRAM.name} een bericht` }).click();
  await page.getByRole('heading', { name: `Bericht aan ${BRAM.name}` }).waitFor();
  await check(page, errors, 'schrijven');
  await page.getByLabel('Onderwerp').fill('Passend onderwijs in Zeist en Utrecht');
  await page.getByLabel('Uw bericht').fill('Dag Bram, ik zag dat we aan hetzelfde werken. Zullen we eens bellen?');
  await page.getByRole('button', { name: 'Bericht versturen' }).click();
  await page.waitForURL(/melding=verstuurd/);
  await check(page, errors, 'verstuurd');
  // Bram's own account pages show him his own address; no page Anna saw may.
  for (const file of journey.saved.filter((f) => !path.basename(f).includes(BRAM.slug))) {
    const html = await readFile(file, 'utf8');
    expect(!html.includes(BRAM.email), `${path.basename(file)} shows no address of Bram`);
  }

  // The mail reached the SMTP server, to Bram, with Anna as Reply-To.
  const mail = await waitForMail(MAIL_DIR, BRAM.email, 'Passend onderwijs in Zeist');
  const head = mail.split(/\r?\n\r?\n/)[0];
  expect(head.includes(`Reply-To: ${ANNA.email}`), `Reply-To is the writer: ${head}`);
  expect(mail.includes('Zullen we eens bellen?'), 'the message is in the mail');
  expect(mail.includes('/account/profiel#verbinden') && mail.includes('/verbinden/melden/'), 'how to stop and how to report');
  const files = (await readdir(MAIL_DIR)).filter((f) => f.endsWith('.eml'));
  expect(files.length > 0, 'the sink holds mail');
});
