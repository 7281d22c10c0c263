// The docs page in a real browser (Debian's chromium through playwright-core): it renders the
// appointments operations, "Try it" on GET /api/v1/programs with an API key issued on the admin
// API answers 200, and the page makes no request to any host but the gateway.
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Browser } from 'playwright-core';
import { chromiumSkipReason, launchChromium } from '../../testing/launchChromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';

const skip = chromiumSkipReason();
// eslint-disable-next-line no-console
if (skip) console.warn(`plugins/openapi/04-docs-browser.e2e.ts: ${skip}`);

// The committed screenshot is rewritten on request only, so a test run leaves the tree clean.
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS
  ? 'docs/screenshots/docs-page.png'
  : join(tmpdir(), `portico-docs-page-${process.pid}.png`);
const programs = {
  items: [
    {
      id: '3f0c7a52-8d7e-4c1b-9a0e-2f8c51d6b7a4',
      guid: 'flu-clinic-2026',
      title: 'Flu vaccination clinic',
      summary: 'Free walk-in vaccinations at the health centre.',
      category: 'Vaccination',
      link: null,
      startsAt: '2026-12-10T09:00:00Z',
      endsAt: '2026-12-10T16:00:00Z',
      updatedAt: '2026-11-30T08:00:00Z',
    },
  ],
  nextCursor: null,
};

describe.skipIf(skip)('the docs page in Chromium', () => {
  let upstream: TestUpstream;
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    upstream = await startUpstream((_req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(programs));
    });
    gateway = await startTestGateway({
      upstreams: {
        programs: { url: upstream.url, health: false },
        appointments: { url: upstream.url, health: false },
      },
      plugins: [
        { name: 'security-headers' },
        { name: 'api-key', options: { store: { type: 'memory' } } },
        {
          name: 'openapi',
          options: {
            apis: [
              { name: 'v1', document: 'contracts/openapi/public-v1.yaml' },
              { name: 'v2', document: 'contracts/openapi/public-v2.yaml' },
            ],
          },
        },
      ],
      routes: [
        {
          name: 'programs',
          path: '/api/v1/programs/{rest*}',
          upstream: 'programs',
          stripPrefix: '/api/v1',
          auth: 'required',
          plugins: { 'api-key': {} },
        },
        {
          name: 'appointments',
          path: '/api/v1/appointments/{rest*}',
          upstream: 'appointments',
          stripPrefix: '/api/v1',
          auth: 'required',
        },
      ],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  it('shows the appointments operations, runs "Try it" on GET /api/v1/programs with an API key (200), and asks no other host', async () => {
    // A partner's key, issued the way an operator does it: the api-key plugin's admin API.
    const created = await fetch(`${gateway.adminUrl}/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gateway.adminHeaders },
      body: JSON.stringify({ name: 'Docs page partner', owner: 'partner-ops' }),
    });
    expect(created.status).toBe(201);
    const { key, id: keyId } = (await created.json()) as { key: string; id: string };

    const context = await browser.newContext({ viewport: { width: 1280, height: 1600 } });
    const gatewayOrigin = new URL(gateway.url).origin;
    const requested: string[] = [];
    const elsewhere: string[] = [];
    // Every request the page makes is recorded; one to any other host is refused, so none leaves the machine.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requested.push(url);
      if (new URL(url).origin === gatewayOrigin) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    await page.goto(`${gateway.url}/docs`);
    await page.locator('#operations-tag-appointments').waitFor();
    for (const operationId of [
      'bookAppointment',
      'listAppointments',
      'getAppointment',
      'updateAppointment',
      'cancelAppointment',
    ]) {
      await expect(page.locator(`#operations-appointments-${operationId}`).count()).resolves.toBe(1);
    }

    // Authorize with the key (the apiKey scheme's own form in the dialog).
    await page.locator('.auth-wrapper .authorize').click();
    const apiKeyForm = page.locator('.modal-ux .auth-container').filter({ hasText: 'apiKey' });
    await apiKeyForm.locator('input').fill(key);
    await apiKeyForm.locator('button.authorize').click();
    await page.locator('.modal-ux button.close-modal').click();

    // Try it out: GET /programs.
    const before = upstream.seen.length;
    const operation = page.locator('#operations-programs-listPrograms');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    await expect(operation.locator('.live-responses-table').textContent()).resolves.toContain(
      'Flu vaccination clinic',
    );

    // The request went through the gateway with the key (the upstream sees the key's id, never the key).
    expect(upstream.seen.length - before).toBe(1);
    expect(upstream.seen.at(-1)).toMatchObject({ method: 'GET' });
    expect(upstream.seen.at(-1)!.url).toMatch(/^\/programs(\?|$)/);
    expect(upstream.seen.at(-1)!.headers['x-api-key-id']).toBe(keyId);
    expect(upstream.seen.at(-1)!.headers['x-api-key']).toBeUndefined();

    // The whole page: every tag, the appointments operations and the 200. The curl line carries the key: masked.
    await page.screenshot({ path: SCREENSHOT, fullPage: true, mask: [page.locator('.curl-command')] });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    if (!process.env.UPDATE_SCREENSHOTS) rmSync(SCREENSHOT);

    // The v2 page exists too, on its own document.
    await page.goto(`${gateway.url}/docs/v2`);
    await page.locator('#operations-programs-listPrograms').waitFor();

    expect(elsewhere).toEqual([]);
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.every((url) => url.startsWith(gatewayOrigin))).toBe(true);
    expect(requested).toEqual(
      expect.arrayContaining([
        `${gatewayOrigin}/docs`,
        `${gatewayOrigin}/docs/assets/swagger-ui-bundle.js`,
        `${gatewayOrigin}/api/v1/openapi.json`,
        `${gatewayOrigin}/api/v2/openapi.json`,
      ]),
    );
    expect(requested.some((url) => url.startsWith(`${gatewayOrigin}/api/v1/programs`))).toBe(true);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
