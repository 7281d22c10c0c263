// The web app in a real browser (Debian's Chromium through playwright-core): a student signs in
// with a password and sees their appointments; a staff member signs in through the campus IdP's
// own pages and assigns a request; an admin publishes a PDF and reads the audit log. Throughout,
// document.cookie shows no session cookie and no response the pages receive carries a JWT; a page
// on another origin that posts to the BFF is refused and changes nothing. Screenshots go to
// docs/screenshots/web-*.png.
//
// Cookies: the session cookie is `__Host-` and Secure. Chromium treats http://127.0.0.1 (and
// localhost) as a potentially trustworthy origin and keeps Secure cookies there, so the test runs
// on plain http on loopback; a quick check in this test (cookies are sent back) would fail otherwise.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Response } from 'playwright-core';
// Imported on its own, so the other tests never load playwright-core.
import { chromiumSkipReason, launchChromium } from '../../testing/launchChromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT, aProgram, book, startWebStack, type WebStack } from './testing/webStack.ts';

const skip = chromiumSkipReason();
// eslint-disable-next-line no-console -- a skip must be loud
if (skip) console.warn(`bff/web/browser.e2e.ts: ${skip}`);

// The committed screenshots are rewritten on request only (UPDATE_SCREENSHOTS=1), so a test run
// leaves the tree clean; otherwise they go to a temporary folder.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : `${mkdtempSync(join(tmpdir(), 'portico-web-screens-'))}/`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

let stack: WebStack;
let browser: Browser;
let attacker: Server;
let attackerUrl: string;
const scanned = { responses: 0, withJwt: [] as string[] };

/** Every response a page of this context receives: headers and body scanned for a JWT. */
function scanResponses(context: BrowserContext): void {
  context.on('response', (response: Response) => {
    void (async () => {
      const headers = await response.allHeaders();
      let body = '';
      try {
        body = (await response.body()).toString('latin1');
      } catch {
        // redirects and aborted loads have no body
      }
      scanned.responses += 1;
      const text = `${JSON.stringify(headers)}\n${body}`;
      if (JWT.test(text)) scanned.withJwt.push(`${response.status()} ${response.url()}`);
    })();
  });
}

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  scanResponses(context);
  return context;
}

describe.skipIf(skip)('the web app in Chromium', () => {
  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchChromium();
    // Another origin (another port): its page posts to the BFF with the victim's cookies.
    attacker = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://x').searchParams.get('target') ?? '';
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html>
<form id="f" method="POST" action="${stack.url()}${target}"><input name="staffId" value="x"></form>
<button id="go" onclick="document.getElementById('f').submit()">go</button>
<script>
window.tryFetch = () => fetch(${JSON.stringify(stack.url())} + ${JSON.stringify(target)}, {
  method: 'POST', mode: 'no-cors', credentials: 'include',
  headers: { 'content-type': 'text/plain' }, body: '{"staffId":null}' }).then(() => 'sent', (e) => String(e));
</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}`;
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    attacker?.closeAllConnections();
    await new Promise((resolve) => attacker?.close(resolve));
    await stack?.stop();
  });

  it('student: password login, dashboard with program titles; no session cookie in document.cookie', async () => {
    const student = await stack.services.createUser('student', { name: 'Ada Student' });
    const program = await aProgram(stack.services);
    await book(stack.services, student.accessToken, {
      serviceType: 'counseling',
      startsAt: inDays(3),
      programId: program.id,
    });
    await book(stack.services, student.accessToken, { serviceType: 'nutrition', startsAt: inDays(5) });

    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url()}/web/`);
    await page.fill('#login input[name=email]', student.email);
    await page.fill('#login input[name=password]', student.password);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#appointments tbody tr');
    const rows = await page.$$eval('#appointments tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('counseling');
    expect(rows[0]).toContain(program.title);
    expect(rows[1]).toContain('nutrition');
    expect(await page.textContent('#who')).toContain('Ada Student');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === '__Host-portico-web');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    await page.screenshot({ path: `${SCREENSHOTS}web-student-dashboard.png`, fullPage: true });
    await context.close();
  });

  it('staff: SSO through the campus IdP pages, assigns a request; a cross-origin post is refused and changes nothing', async () => {
    const student = await stack.services.createUser('student', { name: 'Ben Student' });
    const staff = await stack.services.createUser('staff', { name: 'Sam Staff' });
    const request = await book(stack.services, student.accessToken, {
      serviceType: 'physio',
      startsAt: inDays(4),
    });
    stack.portal.accounts.set('csu-sam', { email: staff.email, email_verified: true, name: 'Sam Staff' });

    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url()}/web/`);
    await page.click('#sso');
    // oidc-provider's development login page, then its consent page.
    await page.waitForURL((url) => url.origin === stack.portal.issuer);
    await page.fill('input[name=login]', 'csu-sam');
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    await page.waitForSelector('button[type=submit]');
    await page.click('button[type=submit]');
    await page.waitForURL(`${stack.url()}/web/`);
    await page.waitForSelector('#who button');
    expect(await page.textContent('#who')).toContain('Sam Staff');
    expect(await page.evaluate(() => document.cookie)).toBe('');

    await page.goto(`${stack.url()}/web/#queue`);
    const row = page.locator(`#unassigned tr[data-id="${request.id}"]`);
    await row.waitFor();
    await row.locator('select').selectOption(staff.id);
    await page.screenshot({ path: `${SCREENSHOTS}web-staff-queue.png`, fullPage: true });
    await row.locator('button').click();
    await page.waitForSelector(`#mine tr[data-id="${request.id}"]`);
    const assigned = await (
      await fetch(`${stack.services.urls.appointments}/appointments/${request.id}`, {
        headers: { authorization: `Bearer ${staff.accessToken}` },
      })
    ).json();
    expect(assigned).toMatchObject({ staffId: staff.id, status: 'requested' });

    // Another origin: a form post to the logout route and a no-cors fetch to the assign route.
    const attack = await context.newPage();
    await attack.goto(`${attackerUrl}/?target=/web/v1/queue/${request.id}/assign`);
    const refusedFetch = attack.waitForResponse((response) => response.url().endsWith('/assign'));
    expect(
      await attack.evaluate(() => (window as unknown as { tryFetch(): Promise<string> }).tryFetch()),
    ).toBe('sent');
    // no-cors hides the status from the page; the browser's network log still has it.
    expect((await refusedFetch).status()).toBe(403);
    await attack.goto(`${attackerUrl}/?target=/web/v1/logout`);
    const [refusedForm] = await Promise.all([
      attack.waitForResponse((response) => response.url().endsWith('/web/v1/logout')),
      attack.click('#go'),
    ]);
    expect(refusedForm.status()).toBe(403);
    // Nothing changed: still assigned, still signed in.
    const after = await (
      await fetch(`${stack.services.urls.appointments}/appointments/${request.id}`, {
        headers: { authorization: `Bearer ${staff.accessToken}` },
      })
    ).json();
    expect(after).toMatchObject({ staffId: staff.id });
    await page.goto(`${stack.url()}/web/#queue`);
    await page.waitForSelector(`#mine tr[data-id="${request.id}"]`);
    await context.close();
  });

  it('admin: publishes a PDF through the BFF (a non-PDF is refused by resources) and reads the audit log', async () => {
    const admin = await stack.services.createUser('admin', { name: 'Ari Admin' });
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url()}/web/`);
    await page.fill('#login input[name=email]', admin.email);
    await page.fill('#login input[name=password]', admin.password);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#who button');
    await page.goto(`${stack.url()}/web/#publish`);
    await page.fill('#publish input[name=title]', 'Not a PDF');
    await page.setInputFiles('#publish input[name=file]', {
      name: 'notes.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('hello, not a pdf'),
    });
    await page.click('#publish button[type=submit]');
    await page.waitForSelector('p.error');
    expect(await page.textContent('p.error')).toContain('not a PDF');
    await page.fill('#publish input[name=title]', 'Sleep guide');
    await page.setInputFiles('#publish input[name=file]', {
      name: 'sleep.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n% a tiny test pdf\n%%EOF\n'),
    });
    await page.click('#publish button[type=submit]');
    await page.waitForSelector('p.ok');
    expect(await page.textContent('p.ok')).toContain('Sleep guide');
    await page.screenshot({ path: `${SCREENSHOTS}web-admin-publish.png`, fullPage: true });

    await page.goto(`${stack.url()}/web/#audit`);
    await page.waitForSelector('#audit tbody tr');
    expect(await page.textContent('#audit')).toContain('requested');
    await page.selectOption('#audit select', 'resources');
    await page.waitForFunction(() => document.querySelector('#audit')?.textContent?.includes('published'));
    expect(await page.textContent('#audit')).toContain('Ari Admin');
    await page.screenshot({ path: `${SCREENSHOTS}web-audit-log.png`, fullPage: true });
    await context.close();
  });

  it('no response any page received carried a JWT', () => {
    // eslint-disable-next-line no-console -- the count goes in the report
    console.info(`bff/web/browser.e2e.ts: ${scanned.responses} responses scanned for a JWT`);
    expect(scanned.responses).toBeGreaterThan(20);
    expect(scanned.withJwt).toEqual([]);
  });
});
