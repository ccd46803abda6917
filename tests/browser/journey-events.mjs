// Browser journey for events (issue #13): a visitor registers for the nearly full demo event
// and takes its last place, a second visitor lands on the waiting list; the first receives the
// confirmation with its calendar invitation through the SMTP server (read by ical.js) and
// cancels through the personal link; the second claims the freed place through the link in
// the offer mail.
//
// Usage: BASE_URL=... MAIL_DIR=... node journey-events.mjs
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { check as checkCalendar } from './ics-check.mjs';
import { decodeQuotedPrintable, expect, likeAPerson, newPage, requireEnv, runJourney, waitForMail } from './lib.mjs';

const { BASE_URL, MAIL_DIR } = requireEnv('BASE_URL', 'MAIL_DIR');
const EVENT = '/bijeenkomsten/leerdag-onderwijs-en-zorg-in-een-team';
const FIRST = 'eerste.deelnemer@voorbeeld.nl';
const SECOND = 'tweede.deelnemer@voorbeeld.nl';
const LINK = /https?:\/\/\S+?\/bijeenkomsten\/aanmelding\/[0-9a-f]{64}/;

/** The calendar attachment of the newest mail to `to` about `subject`, decoded. */
async function calendarAttachment(to, subject) {
  const files = (await readdir(MAIL_DIR)).filter((f) => f.endsWith('.eml')).sort().reverse();
  for (const file of files) {
    const raw = await readFile(path.join(MAIL_DIR, file), 'utf8');
    const [head] = raw.split(/\r?\n\r?\n/);
    if (!head.includes(`X-Envelope-To: ${to}`) || !head.includes(subject)) continue;
    const part = raw.split(/\r?\n--/).find((p) => /Content-Type: text\/calendar/i.test(p));
    expect(part, 'the mail has a text/calendar part');
    const [partHead, ...rest] = part.split(/\r?\n\r?\n/);
    const body = rest.join('\r\n\r\n');
    if (/Content-Transfer-Encoding: base64/i.test(partHead)) {
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    }
    if (/Content-Transfer-Encoding: quoted-printable/i.test(partHead)) return decodeQuotedPrintable(body);
    return body;
  }
  throw new Error(`no mail to ${to} about ${subject}`);
}

async function register(page, name, email) {
  await page.goto(`${BASE_URL}${EVENT}`);
  const shownAt = Date.now();
  await page.getByLabel('Naam', { exact: true }).fill(name);
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Aan welke werkplaats doet u mee?').selectOption({ index: 1 });
  await likeAPerson(page, shownAt);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByRole('heading', { name: 'Aanmelding ontvangen' }).waitFor();
}

await runJourney('journey-events', async ({ browser, check }) => {
  const first = await newPage(browser, { viewport: { width: 375, height: 800 } });
  let { page, errors } = first;
  await page.goto(`${BASE_URL}/bijeenkomsten`);
  await check(page, errors, 'bijeenkomsten');
  await page.getByRole('link', { name: 'Leerdag: onderwijs en zorg in één team' }).click();
  await page.getByText('Nog 1 plaats vrij.').waitFor();
  await check(page, errors, 'bijeenkomst');
  await register(page, 'Eerste Deelnemer', FIRST);
  await page.getByText('U bent aangemeld voor').waitFor();
  await check(page, errors, 'aangemeld');

  const second = await newPage(browser);
  ({ page, errors } = second);
  await register(page, 'Tweede Deelnemer', SECOND);
  await page.getByText('U staat op de wachtlijst').waitFor();
  await check(page, errors, 'wachtlijst');

  // The confirmation arrives through SMTP with the invitation, which ical.js reads.
  const confirmation = await waitForMail(MAIL_DIR, FIRST, 'Aangemeld');
  const invitation = checkCalendar(await calendarAttachment(FIRST, 'Aangemeld'), 'uitnodiging.ics');
  expect(invitation.method === 'REQUEST', `METHOD:REQUEST, got ${invitation.method}`);
  expect(invitation.events[0]?.summary === 'Leerdag: onderwijs en zorg in één team', 'the invitation names the event');
  const firstLink = confirmation.match(LINK)?.[0];
  expect(firstLink, 'the confirmation has the personal link');

  ({ page, errors } = first);
  await page.goto(`${BASE_URL}${new URL(firstLink).pathname}`);
  await page.getByText('Aangemeld', { exact: true }).waitFor();
  await check(page, errors, 'persoonlijke pagina');
  await page.getByRole('button', { name: 'Afmelden' }).click();
  await page.getByText('U bent afgemeld.').waitFor();
  await check(page, errors, 'afgemeld');

  // The place goes to the second person, who claims it through the link in the offer mail.
  const offer = await waitForMail(MAIL_DIR, SECOND, 'Er is een plaats vrij');
  const secondLink = offer.match(LINK)?.[0];
  expect(secondLink, 'the offer has the personal link');
  ({ page, errors } = second);
  await page.goto(`${BASE_URL}${new URL(secondLink).pathname}`);
  await check(page, errors, 'aanbod');
  await page.getByRole('button', { name: 'Plaats innemen' }).click();
  await page.getByText('De plaats is voor u.').waitFor();
  await check(page, errors, 'ingenomen');
  await waitForMail(MAIL_DIR, SECOND, 'Aangemeld');
  checkCalendar(await calendarAttachment(SECOND, 'Aangemeld'), 'uitnodiging-2.ics');
});
