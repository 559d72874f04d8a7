// Drives paymux's hosted checkout in headless Chromium, as a merchant's server (creating
// sessions through the API) and a customer's browser (paying in the PG's window).
//
//   PAYMUX_BASE_URL=http://127.0.0.1:8080 PAYMUX_API_SECRET=... node checkout.mjs
//
// Environment:
//   PAYMUX_BASE_URL, PAYMUX_API_SECRET   the gateway (required)
//   PAYMUX_GROUP_ID           channel group for the card flow (default: the sandbox demo group)
//   PAYMUX_GALAXIA_CHANNEL    Galaxia channel key (default: galaxia-test)
//   PAYMUX_VA_GROUP_ID        group (or PAYMUX_VA_CHANNEL: channel) for the virtual-account flow;
//                             the flow is skipped when neither is set (Galaxia cannot complete
//                             virtual-account windows; the checkout test uses a Smartro channel)
//   PAYMUX_REDIRECT_URL       the merchant's result page (default: a page this script serves on
//                             127.0.0.1, showing <h1 id="done">)
//   PAYMUX_STORE_ID           storeId (default: store-paymux-sandbox)
//   PAYMUX_CHROMIUM           Chromium executable (default: /usr/bin/chromium)
//   PAYMUX_FLOWS              comma-separated subset of the flows below
//
// Prints progress to stderr and, last, one line `RESULT <json>` on stdout: one entry per flow
// with the ids it created and the query parameters the browser came back with. Exits non-zero
// when a flow fails in the browser; the caller checks the gateway's side (payments, webhooks).

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (k, d) => process.env[k] ?? d;
const BASE = env('PAYMUX_BASE_URL');
const SECRET = env('PAYMUX_API_SECRET');
if (!BASE || !SECRET) {
  console.error('checkout.mjs: set PAYMUX_BASE_URL and PAYMUX_API_SECRET');
  process.exit(2);
}
const GROUP = env('PAYMUX_GROUP_ID', 'channel-group-test-00000000-0000-4000-8000-000000000001');
const GALAXIA = env('PAYMUX_GALAXIA_CHANNEL', 'galaxia-test');
const VA_GROUP = env('PAYMUX_VA_GROUP_ID');
const VA_CHANNEL = env('PAYMUX_VA_CHANNEL');
let REDIRECT = env('PAYMUX_REDIRECT_URL');
let shop;
if (!REDIRECT) {
  // The merchant's result page: where the gateway sends the browser back.
  shop = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>shop</title><h1 id="done">주문 완료</h1>');
  });
  await new Promise((ok) => shop.listen(0, '127.0.0.1', ok));
  REDIRECT = `http://127.0.0.1:${shop.address().port}/shop/done`;
}
const STORE = env('PAYMUX_STORE_ID', 'store-paymux-sandbox');
const CHROMIUM = env('PAYMUX_CHROMIUM', '/usr/bin/chromium');
const ONLY = env('PAYMUX_FLOWS', '').split(',').filter(Boolean);
const STEP_TIMEOUT = 20_000;

const log = (...a) => console.error('[checkout.mjs]', ...a);
// Letters and digits only: some PGs (Smartro) refuse anything else in an order id.
const uid = (p) => `${p.replace(/[^A-Za-z0-9]/g, '')}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const customer = {
  customerId: 'cust-1',
  fullName: '홍길동',
  phoneNumber: '010-1234-5678',
  email: 'buyer@example.com',
};

async function createSession(body) {
  const r = await fetch(`${BASE}/checkout/sessions`, {
    method: 'POST',
    headers: { authorization: `PortOne ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ storeId: STORE, customer, redirectUrl: REDIRECT, ...body }),
  });
  const json = await r.json();
  if (r.status !== 200) throw new Error(`POST /checkout/sessions: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

function paymentBody(channel, method, amount, extra = {}) {
  return {
    paymentId: uid(method.toLowerCase()),
    orderName: '테스트 주문',
    totalAmount: amount,
    currency: 'CURRENCY_KRW',
    payMethod: method,
    ...channel,
    ...extra,
  };
}

function dueDate(days) {
  const d = new Date(Date.now() + days * 86_400_000 + 9 * 3_600_000);
  return d.toISOString().slice(0, 10);
}

// The customer's part: open the checkout URL, wait for the PG window, fill it, press a button,
// and wait until the browser is back at the store (or the gateway's result page).
async function payInWindow(page, session, { action = 'pay', card, phone, expectTitle } = {}) {
  await page.goto(session.checkoutUrl, { timeout: STEP_TIMEOUT });
  await page.waitForSelector('#pay', { timeout: STEP_TIMEOUT });
  const windowUrl = page.url();
  if (expectTitle) {
    const item = (await page.textContent('#item-name'))?.trim();
    if (item !== expectTitle) throw new Error(`the window shows item name ${JSON.stringify(item)}, expected ${JSON.stringify(expectTitle)}`);
  }
  if (card && (await page.$('input[name=cardNumber]'))) await page.fill('input[name=cardNumber]', card);
  if (phone && (await page.$('#phone-number'))) await page.fill('#phone-number', phone);
  if (await page.$('#bank')) {
    const first = await page.$eval('#bank', (s) => s.options[0].value);
    await page.selectOption('#bank', first);
  }
  const back = (u) => u.href.startsWith(REDIRECT);
  await Promise.all([page.waitForURL(back, { timeout: STEP_TIMEOUT }), page.click(`#${action}`)]);
  const final = new URL(page.url());
  const query = Object.fromEntries(final.searchParams.entries());
  await page.waitForSelector('#done', { timeout: STEP_TIMEOUT });
  return { windowUrl, finalUrl: final.href, query };
}

const flows = {
  // Card through a channel group (smart routing picks one channel by weight).
  async card_via_group(page) {
    const s = await createSession(paymentBody({ channelGroupId: GROUP }, 'CARD', 1004));
    const r = await payInWindow(page, s, { card: '4111-1111-1111-1111', expectTitle: '테스트 주문' });
    if (r.query.code) throw new Error(`card payment failed: ${JSON.stringify(r.query)}`);
    if (r.query.paymentId !== s.paymentId) throw new Error(`paymentId ${r.query.paymentId} != ${s.paymentId}`);
    // Coming back to the checkout link later: an error page, never a second payment.
    const again = await page.goto(s.checkoutUrl, { timeout: STEP_TIMEOUT });
    if (again.status() !== 409) throw new Error(`reopening a finished checkout answered ${again.status()}`);
    return { paymentId: s.paymentId, channel: s.channel.key, sessionId: s.sessionId, ...r };
  },
  // Galaxia billing-key window (card registration, no charge).
  async galaxia_billing_key(page) {
    const issueId = uid('issue');
    const s = await createSession({
      kind: 'ISSUE_BILLING_KEY',
      channelKey: GALAXIA,
      billingKeyMethod: 'CARD',
      issueId,
      issueName: '월간 구독',
      displayAmount: 1000,
      currency: 'KRW',
    });
    const r = await payInWindow(page, s, { card: '5111111111111118', expectTitle: '월간 구독' });
    if (r.query.code || r.query.billingKey !== s.billingKey) throw new Error(`billing key window: ${JSON.stringify(r.query)}`);
    return { billingKey: s.billingKey, issueId, sessionId: s.sessionId, ...r };
  },
  // Galaxia mobile billing-key-and-pay (휴대폰 자동결제 등록 + 첫 결제).
  async galaxia_mobile_billing_key_and_pay(page) {
    const s = await createSession({
      kind: 'ISSUE_BILLING_KEY_AND_PAY',
      channelKey: GALAXIA,
      billingKeyAndPayMethod: 'MOBILE',
      paymentId: uid('andpay'),
      orderName: '휴대폰 정기결제',
      totalAmount: 3300,
      currency: 'KRW',
      productType: 'DIGITAL',
    });
    const r = await payInWindow(page, s, { phone: '01012345678', expectTitle: '휴대폰 정기결제' });
    if (r.query.code) throw new Error(`billing-key-and-pay failed: ${JSON.stringify(r.query)}`);
    return { paymentId: s.paymentId, billingKey: s.billingKey, sessionId: s.sessionId, ...r };
  },
  // A virtual account issued in the window.
  async virtual_account(page) {
    if (!VA_GROUP && !VA_CHANNEL) return { skipped: 'set PAYMUX_VA_GROUP_ID or PAYMUX_VA_CHANNEL' };
    const channel = VA_GROUP ? { channelGroupId: VA_GROUP } : { channelKey: VA_CHANNEL };
    const s = await createSession(
      paymentBody(channel, 'VIRTUAL_ACCOUNT', 45000, { virtualAccount: { accountExpiry: { dueDate: dueDate(3) } } }),
    );
    const r = await payInWindow(page, s, {});
    if (r.query.code) throw new Error(`virtual account failed: ${JSON.stringify(r.query)}`);
    return { paymentId: s.paymentId, channel: s.channel.key, sessionId: s.sessionId, ...r };
  },
  // A declined card (test card …0002).
  async declined_card(page) {
    const s = await createSession(paymentBody({ channelKey: GALAXIA }, 'CARD', 1000));
    const r = await payInWindow(page, s, { card: '4111111111110002' });
    if (r.query.code !== 'FAILURE_TYPE_PG') throw new Error(`a declined card came back as ${JSON.stringify(r.query)}`);
    return { paymentId: s.paymentId, sessionId: s.sessionId, ...r };
  },
  // The customer presses Cancel in the window.
  async cancel_in_window(page) {
    const s = await createSession(paymentBody({ channelKey: GALAXIA }, 'CARD', 1000));
    const r = await payInWindow(page, s, { action: 'cancel' });
    if (r.query.code !== 'FAILURE_TYPE_PG') throw new Error(`a cancelled window came back as ${JSON.stringify(r.query)}`);
    return { paymentId: s.paymentId, sessionId: s.sessionId, ...r };
  },
};

const profile = mkdtempSync(join(tmpdir(), 'paymux-chromium-'));
let context;
const results = [];
let failed = 0;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  for (const [name, flow] of Object.entries(flows)) {
    if (ONLY.length && !ONLY.includes(name)) continue;
    const page = await context.newPage();
    const started = Date.now();
    try {
      const r = await flow(page);
      results.push({ flow: name, ok: true, ...r });
      log(`${name}: ok (${Date.now() - started} ms)`, r.skipped ? `skipped: ${r.skipped}` : '');
    } catch (e) {
      failed += 1;
      results.push({ flow: name, ok: false, error: String(e?.message ?? e), url: page.url() });
      log(`${name}: FAILED: ${e?.message ?? e} (at ${page.url()})`);
      try {
        log(`page text: ${(await page.textContent('body'))?.slice(0, 500)}`);
      } catch {}
    } finally {
      await page.close();
    }
  }
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
  shop?.close();
}
console.log(`RESULT ${JSON.stringify(results)}`);
process.exit(failed ? 1 : 0);
