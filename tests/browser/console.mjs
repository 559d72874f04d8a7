// Drives paymux's operator console (`/console`) in headless Chromium, as an operator would:
// sign in, create a smart-routing group with three sandbox channels, try weights totalling 90
// (refused in the page, and again by the server), save 50/30/20, schedule a change (and cancel
// a second one), run payments through the group over the API, then look at the payment list,
// one payment's attempts and webhooks, and the group's split chart. Screenshots at 1280x800
// and 390x844.
//
//   PAYMUX_BASE_URL=http://127.0.0.1:8080 PAYMUX_API_SECRET=... PAYMUX_OPERATOR_SECRET=... \
//     node console.mjs
//
// Environment:
//   PAYMUX_BASE_URL          the gateway, a sandbox (required)
//   PAYMUX_API_SECRET        its API secret (required: payments are made over the API)
//   PAYMUX_OPERATOR_SECRET   its operator secret (required)
//   PAYMUX_CHROMIUM          Chromium executable (default: /usr/bin/chromium)
//   PAYMUX_ARTIFACTS         directory for screenshots; none taken when unset
//
// Prints progress to stderr and, last, one line `RESULT <json>` on stdout; the caller checks
// the gateway's side. Exits non-zero when a step fails.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

const env = (k, d) => process.env[k] ?? d;
const BASE = env('PAYMUX_BASE_URL');
const API_SECRET = env('PAYMUX_API_SECRET');
const OPERATOR = env('PAYMUX_OPERATOR_SECRET');
if (!BASE || !API_SECRET || !OPERATOR) {
  console.error('console.mjs: set PAYMUX_BASE_URL, PAYMUX_API_SECRET and PAYMUX_OPERATOR_SECRET');
  process.exit(2);
}
const CHROMIUM = env('PAYMUX_CHROMIUM', '/usr/bin/chromium');
const ARTIFACTS = env('PAYMUX_ARTIFACTS');
const CHANNELS = ['galaxia-test', 'ksnet-test', 'smartro-test'];
const PAYMENTS = 8;
const log = (...a) => console.error('[console.mjs]', ...a);
if (ARTIFACTS) mkdirSync(ARTIFACTS, { recursive: true });

const result = { dialogs: 0, paymentIds: [], phoneOverflow: [] };

async function shot(page, name) {
  if (!ARTIFACTS) return;
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

// A whole hour `hours` from now, in KST, as the form's date and hour fields take it.
function kstHour(hours) {
  const t = new Date(Date.now() + hours * 3600_000 + 9 * 3600_000);
  return { date: t.toISOString().slice(0, 10), hour: String(t.getUTCHours()) };
}

async function fillRows(page, weights) {
  for (let i = 0; i < weights.length; i++) {
    const row = page.locator('tr.channel-row').nth(i);
    if (await row.isHidden()) await page.click('#add-channel');
    await page.selectOption(`select[name=key_${i}]`, CHANNELS[i]);
    await page.fill(`input[name=weight_${i}]`, String(weights[i]));
  }
}

async function api(method, path, body) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `PortOne ${API_SECRET}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ko-KR' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('dialog', async (d) => { result.dialogs += 1; await d.dismiss(); });

  // 1. Sign in (the console sends a browser without a session to the sign-in page).
  await page.goto(`${BASE}/console`);
  if (!page.url().endsWith('/console/login')) throw new Error(`not sent to sign-in: ${page.url()}`);
  await page.fill('#secret', OPERATOR);
  await Promise.all([page.waitForURL('**/console/groups'), page.click('#login-form button[type=submit]')]);
  log('signed in');

  // 2. Create a group: environment first, then the form with that environment's channels.
  await page.click('#create-group');
  await page.click('#env-test');
  await page.fill('#name', '카드 분산 50/30/20');
  await fillRows(page, [40, 30, 20]);
  await page.click('#save');
  const error = page.locator('#weights-error');
  await error.waitFor({ state: 'visible' });
  result.refusedMessage = (await error.textContent()).trim();
  if (!page.url().includes('/console/groups/new')) throw new Error('a 90% group left the page');
  log('refused in the page:', result.refusedMessage);

  // The server refuses it too (the form posted without the page's check).
  await Promise.all([
    page.waitForURL('**/console/groups', { waitUntil: 'domcontentloaded' }),
    page.evaluate(() => document.getElementById('group-form').submit()),
  ]);
  const serverErrors = await page.locator('#form-errors').textContent();
  result.serverRefused = serverErrors.includes(result.refusedMessage);
  log('refused by the server:', serverErrors.replace(/\s+/g, ' ').trim());

  // 3. Save 50/30/20.
  await page.fill('input[name=weight_0]', '50');
  await Promise.all([page.waitForURL(/\/console\/groups\/channel-group-test-[^/?]+\?done=saved/), page.click('#save')]);
  result.groupId = (await page.locator('#group-id').textContent()).trim();
  log('saved', result.groupId);

  // 4. Schedule a change two hours ahead; schedule another three hours ahead and cancel it.
  for (const [hours, weights] of [[2, [60, 20, 20]], [3, [34, 33, 33]]]) {
    await page.check('#schedule');
    const at = kstHour(hours);
    await page.fill('#schedule_date', at.date);
    await page.selectOption('#schedule_hour', at.hour);
    for (let i = 0; i < 3; i++) await page.fill(`input[name=weight_${i}]`, String(weights[i]));
    await Promise.all([page.waitForURL(/done=scheduled_ok/), page.click('#save')]);
  }
  const pending = page.locator('#pending li');
  if ((await pending.count()) !== 2) throw new Error(`expected 2 scheduled changes, saw ${await pending.count()}`);
  await Promise.all([page.waitForURL(/done=pending_cancelled/), pending.nth(1).locator('button').click()]);
  if ((await page.locator('#pending li').count()) !== 1) throw new Error('the cancelled change is still listed');
  // The form shows the configuration in force: 50/30/20.
  const inForce = await page.inputValue('input[name=weight_0]');
  if (inForce !== '50') throw new Error(`the form shows ${inForce}% for the first channel`);
  await shot(page, 'desktop-1280x800-group-form');
  log('scheduled a change, cancelled another');

  // 5. Payments through the group over the API (Smartro has no keyed-in card payment: its
  //    rules leave it out, and the console shows why).
  for (let i = 0; i < PAYMENTS; i++) {
    const id = `payment-${randomUUID()}`;
    await api('POST', `/payments/${id}/instant`, {
      channelGroupId: result.groupId,
      orderName: '월간 이용권 정기결제',
      customer: { id: 'customerId_2333', name: { full: '김포트' }, phoneNumber: '01000001234', email: 'port@portone.io' },
      customData: JSON.stringify({ memo: '<img src=x onerror=alert(1)>' }),
      amount: { total: 8900 },
      currency: 'KRW',
      method: { card: { credential: { number: '0000123400001234', expiryYear: '26', expiryMonth: '12', birthOrBusinessRegistrationNumber: '900101', passwordTwoDigits: '00' } } },
      productType: 'PHYSICAL',
      bypass: { galaxia: { ITEM_CODE: 'ITEM0001' } },
    });
    result.paymentIds.push(id);
  }
  log('paid', PAYMENTS);

  // 6. The payment list (filtered to test channels), one payment's page.
  await page.click('nav a[href="/console/payments"]');
  await page.selectOption('select[name=env]', 'test');
  await Promise.all([page.waitForURL(/env=test/), page.click('#payment-filters button[type=submit]')]);
  const rows = page.locator('#payments tbody tr');
  result.listed = 0;
  for (let i = 0; i < await rows.count(); i++) {
    const text = await rows.nth(i).textContent();
    if (result.paymentIds.some((id) => text.includes(id))) result.listed += 1;
  }
  await page.click(`#payments a[href="/console/payments/${result.paymentIds[0]}"]`);
  await page.waitForSelector('#attempts');
  result.attempts = await page.locator('li.attempt').count();
  result.skipped = await page.locator('#skipped li').count();
  result.webhooks = await page.locator('li.webhook').count();
  await page.locator('li.attempt details').first().click();
  // What the attempt sent and what came back, masked (the first attempt's first exchange).
  result.wireRequest = (await page.locator('li.attempt pre.wire-request').first().textContent()) ?? '';
  result.wireAnswer = (await page.locator('li.attempt pre.wire-answer').first().textContent()) ?? '';
  await shot(page, 'desktop-1280x800-payment');
  log('payment page:', result.attempts, 'attempts,', result.webhooks, 'webhooks,', result.skipped, 'left out');

  // 7. The split chart.
  await page.goto(`${BASE}/console/groups/${result.groupId}/chart`);
  result.chartTotal = Number((await page.locator('#chart-total').textContent()).trim());
  result.chartSvgs = await page.locator('svg.chart').count();
  await shot(page, 'desktop-1280x800-chart');
  // The README's picture: the top of the chart page, small.
  if (ARTIFACTS) await page.screenshot({ path: join(ARTIFACTS, 'readme-console-chart.png'), clip: { x: 0, y: 0, width: 1280, height: 520 } });
  await page.goto(`${BASE}/console/groups`);
  await shot(page, 'desktop-1280x800-groups');

  // 8. The same pages on a phone-sized screen: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [name, path] of [
    ['groups', '/console/groups'],
    ['group-form', `/console/groups/${result.groupId}`],
    ['payment', `/console/payments/${result.paymentIds[0]}`],
    ['chart', `/console/groups/${result.groupId}/chart`],
    ['payments', '/console/payments'],
    ['channels', '/console/channels'],
  ]) {
    await page.goto(`${BASE}${path}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    if (wide) result.phoneOverflow.push(name);
    if (name !== 'payments' && name !== 'channels') await shot(page, `phone-390x844-${name}`);
  }

  // 9. The English switch.
  await page.click('a.lang');
  result.englishTitle = (await page.locator('h1').first().textContent()).trim();
  log('done');
} finally {
  await browser.close();
}
console.log(`RESULT ${JSON.stringify(result)}`);
