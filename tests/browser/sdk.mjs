// Drives paymux's browser SDKs in headless Chromium: merchant pages (served by this script on
// their own origin) load `/v1/iamport.js` or `/v2/browser-sdk.js` from the gateway and call
// them as PortOne's documents do; the customer pays in the PG's window.
//
//   PAYMUX_BASE_URL=http://127.0.0.1:8080 node sdk.mjs
//
// Environment:
//   PAYMUX_BASE_URL           the gateway (required)
//   PAYMUX_STORE_ID           storeId (default: store-paymux-sandbox)
//   PAYMUX_GALAXIA_CHANNEL    Galaxia channel key (default: galaxia-test)
//   PAYMUX_GROUP_ID           channel group for the smart-routing document's example (default:
//                             the sandbox demo group)
//   PAYMUX_CHROMIUM           Chromium executable (default: /usr/bin/chromium)
//   PAYMUX_FLOWS              comma-separated subset of the flows below
//   PAYMUX_PREREGISTERED_ID   a paymentId the caller pre-registered at 1000 won (the
//                             tampered-amount flow pays it with 10)
//   PAYMUX_PORTONE_SDK        PortOne's npm package's ESM build (default: node_modules/@portone/
//                             browser-sdk/dist/v2.js); the npm flow is skipped when it is missing
//   PAYMUX_ARTIFACTS          directory for screenshots (merchant page, PG window, result page
//                             at 1280x800 and 390x844); none taken when unset
//
// Prints progress to stderr and, last, one line `RESULT <json>` on stdout: one entry per flow
// with what the merchant page received. Exits non-zero when a flow fails in the browser; the
// caller checks the gateway's side (payments, webhooks, the simulator's books).

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (k, d) => process.env[k] ?? d;
const BASE = env('PAYMUX_BASE_URL');
if (!BASE) {
  console.error('sdk.mjs: set PAYMUX_BASE_URL');
  process.exit(2);
}
const STORE = env('PAYMUX_STORE_ID', 'store-paymux-sandbox');
const GALAXIA = env('PAYMUX_GALAXIA_CHANNEL', 'galaxia-test');
const CHROMIUM = env('PAYMUX_CHROMIUM', '/usr/bin/chromium');
const ONLY = env('PAYMUX_FLOWS', '').split(',').filter(Boolean);
const STEP_TIMEOUT = 20_000;
const ARTIFACTS = env('PAYMUX_ARTIFACTS');
const GROUP = env('PAYMUX_GROUP_ID', 'channel-group-test-00000000-0000-4000-8000-000000000001');
const PORTONE_SDK = env('PAYMUX_PORTONE_SDK', new URL('./node_modules/@portone/browser-sdk/dist/v2.js', import.meta.url).pathname);
const log = (...a) => console.error('[sdk.mjs]', ...a);
const uid = (p) => `${p}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

// The Galaxia document's three IMP.request_pay calls, as written (their line breaks restored;
// only the channel key is the sandbox's). A wrapper installed before them keeps the callback's
// rsp for the test.
const callback = `
  function (rsp) {
    // callback 로직
    const { imp_uid, merchant_uid } = rsp;
    // 콜백 함수로 전달 받은 imp_uid로 포트원 결제 내역 조회 API를 통해 결제 상태를 판단합니다.
  },
);`;
const galaxia = {
  card: `
IMP.request_pay(
  {
    channelKey: "${GALAXIA}",
    pay_method: "card",
    merchant_uid: "orderNo0001", // 고객사에서 채번한 주문 고유 번호입니다.
    name: "주문명:결제테스트",
    amount: 1000,
    customer_id: "matthew", // 고객사가 회원에게 부여한 고유 ID입니다. (필수)
    m_redirect_url: "{모바일에서 결제 완료 후 리디렉션 될 URL}",
    bypass: {
      galaxia: {
        ITEM_CODE: "상품코드", // 필수, 최대 10바이트
      },
    },
  },${callback}`,
  billingKey: `
IMP.request_pay(
  {
    channelKey: "${GALAXIA}",
    pay_method: "card", // 빌링키 발급 수단입니다. 갤럭시아머니트리의 경우 'card'만 지원됩니다.
    merchant_uid: "orderMonthly0001", // 고객사에서 채번한 주문 고유 번호입니다.
    name: "빌링키 발급",
    amount: 1000,
    customer_id: "matthew", // 고객사가 회원에게 부여한 고유 ID입니다. (필수)
    customer_uid: "your-customer-unique-id", // 고객사가 구매자의 결제 수단을 특정하기 위해 채번한 고유 ID로 빌링키 발급시 필수 입력입니다.
    m_redirect_url: "{모바일에서 빌링키 발급 완료 후 리디렉션 될 URL}",
    bypass: {
      galaxia: {
        ITEM_CODE: "상품코드", // 필수, 최대 10바이트
      },
    },
  },${callback}`,
  phone: `
IMP.request_pay(
  {
    channelKey: "${GALAXIA}",
    pay_method: "phone", // 빌링키 발급 및 결제 수단입니다. 갤럭시아머니트리의 경우 'phone'만 지원됩니다.
    merchant_uid: "orderNo0001", // 고객사에서 채번한 주문 고유 번호입니다.
    name: "주문명:결제테스트",
    amount: 1000, // 전달한 금액 만큼 실제로 승인이 됩니다.
    customer_id: "matthew", // 고객사가 회원에게 부여한 고유 ID입니다. (필수)
    customer_uid: "your-customer-unique-id", // 고객사가 구매자의 결제 수단을 특정하기 위해 채번한 고유 ID로 빌링키 발급시 필수 입력입니다.
    m_redirect_url: "{모바일에서 결제 완료 후 리디렉션 될 URL}",
    bypass: {
      galaxia: {
        ITEM_CODE: "상품코드", // 필수, 최대 10바이트
      },
    },
  },${callback}`,
};
const v1Setup = `IMP.init("${STORE}");
const request_pay = IMP.request_pay;
IMP.request_pay = function (params, callback) {
  return request_pay(params, function (rsp) { window.__rsp = rsp; callback(rsp); });
};`;

function v2Call(params) {
  return `window.__response = await PortOne.requestPayment(${JSON.stringify(params)});`;
}

const pages = {};
const shop = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/npm/@portone/browser-sdk/v2.js' && existsSync(PORTONE_SDK)) {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end(readFileSync(PORTONE_SDK));
    return;
  }
  res.writeHead(pages[path] ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
  res.end(pages[path] ?? '<h1>not found</h1>');
});
await new Promise((ok) => shop.listen(0, '127.0.0.1', ok));
const SHOP = `http://127.0.0.1:${shop.address().port}`;
pages['/done'] = '<!doctype html><title>shop</title><h1 id="done">주문 완료</h1>';

function merchantPage(path, src, setup, call) {
  pages[path] = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>상점</title>
<script src="${BASE}${src}"></script></head><body><h1>상점</h1>
<button id="buy">결제하기</button>
<script>${setup}
document.getElementById('buy').addEventListener('click', async function () {
${call}
});
</script></body></html>`;
  return `${SHOP}${path}`;
}

async function shot(page, name) {
  if (!ARTIFACTS) return;
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

// The result page popup and iframe windows end on (without an origin: nothing is posted).
async function resultShot(page, name, fields) {
  if (!ARTIFACTS) return;
  await page.goto(`${BASE}/browser/result?${new URLSearchParams(fields)}`, { timeout: STEP_TIMEOUT });
  await shot(page, name);
}

// Pay in the PG's window (a popup page, or the page itself in redirect mode).
async function payIn(win, card, phone) {
  await win.waitForSelector('#pay', { timeout: STEP_TIMEOUT });
  if (card) await win.fill('input[name=cardNumber]', card);
  if (phone) await win.fill('#phone-number', phone);
  await win.click('#pay');
}

async function popupFlow(page, url, card, resultVar, phone) {
  await page.goto(url, { timeout: STEP_TIMEOUT });
  const [popup] = await Promise.all([page.context().waitForEvent('page', { timeout: STEP_TIMEOUT }), page.click('#buy')]);
  // A forged result from another window (here the page itself), once the SDK listens: it
  // takes results only from the window it opened, on the gateway's origin.
  await popup.waitForSelector('#pay', { timeout: STEP_TIMEOUT });
  await page.evaluate(() => window.postMessage({ paymentId: 'forged', txId: 'forged', transactionType: 'PAYMENT' }, '*'));
  await payIn(popup, card, phone);
  await page.waitForFunction((v) => window[v] !== undefined, resultVar, { timeout: STEP_TIMEOUT });
  const result = await page.evaluate((v) => window[v], resultVar);
  return { result, popupClosed: popup.isClosed() };
}


// The smart-routing founding document's requestPayment call, as written (only the sandbox's
// ids), with `extra` parameters appended.
function smartRoutingExample(extra) {
  return `//포트원 인증결제 SDK 호출
PortOne.requestPayment({
storeId: "${STORE}",
// 결제대행사를 지정할 때 사용한 channelKey 대신
// channelGroupId 파라미터에 스마트 라우팅 그룹 ID를 설정합니다.
channelGroupId: "${GROUP}",
// 기타 인증결제 파라미터 설정
paymentId: \`payment-\${crypto.randomUUID()}\`,
orderName: "나이키 와플 트레이너 2 SD",
totalAmount: 1000,
currency: "CURRENCY_KRW",
payMethod: "CARD",
// 스마트 라우팅 사용 시 필수 파라미터 추가 설정
customer: {
fullName: "홍길동",
phoneNumber: "010-1234-5678",
email: "test@test.com",
},${extra}
});`;
}

const flows = {
  // The Galaxia document's card payment through IMP.request_pay (popup, callback).
  async v1_galaxia_card(page) {
    const url = merchantPage('/v1-card', '/v1/iamport.js', v1Setup, galaxia.card);
    const r = await popupFlow(page, url, '4111111111111111', '__rsp');
    if (!r.result.success) throw new Error(`IMP.request_pay failed: ${JSON.stringify(r.result)}`);
    return { rsp: r.result, popupClosed: r.popupClosed };
  },
  // The Galaxia document's billing-key window (customer_uid with card).
  async v1_galaxia_billing_key(page) {
    const url = merchantPage('/v1-billing-key', '/v1/iamport.js', v1Setup, galaxia.billingKey);
    const r = await popupFlow(page, url, '5111111111111118', '__rsp');
    if (!r.result.success) throw new Error(`IMP.request_pay failed: ${JSON.stringify(r.result)}`);
    return { rsp: r.result };
  },
  // The Galaxia document's phone billing-key-and-pay (customer_uid with phone). Its
  // merchant_uid and customer_uid are those of the two calls above: run it on a fresh gateway.
  async v1_galaxia_phone(page) {
    const url = merchantPage('/v1-phone', '/v1/iamport.js', v1Setup, galaxia.phone);
    const r = await popupFlow(page, url, null, '__rsp', '01012345678');
    if (!r.result.success) throw new Error(`IMP.request_pay failed: ${JSON.stringify(r.result)}`);
    return { rsp: r.result };
  },
  // A V1 rule violation (ITEM_CODE over 10 bytes): the callback's error_msg names it, and
  // the popup is closed.
  async v1_rule_violation(page) {
    const call = `IMP.request_pay({ channelKey: "${GALAXIA}", pay_method: "card", merchant_uid: "${uid('order')}",
      name: "주문명:결제테스트", amount: 1000, customer_id: "matthew",
      bypass: { galaxia: { ITEM_CODE: "상품코드상품코드" } } }, function (rsp) {});`;
    const url = merchantPage('/v1-rule', '/v1/iamport.js', v1Setup, call);
    await page.goto(url, { timeout: STEP_TIMEOUT });
    await page.click('#buy');
    await page.waitForFunction(() => window.__rsp !== undefined, null, { timeout: STEP_TIMEOUT });
    const rsp = await page.evaluate(() => window.__rsp);
    const popups = page.context().pages().filter((p) => p !== page && !p.isClosed()).length;
    return { rsp, popups };
  },
  // PortOne.requestPayment in a popup: the Promise resolves with PortOne's fields.
  async v2_popup(page) {
    const paymentId = uid('payment');
    const url = merchantPage('/v2-popup', '/v2/browser-sdk.js', '', v2Call(v2Params(paymentId)));
    const r = await popupFlow(page, url, '4111111111111111', '__response');
    if (r.result.code) throw new Error(`requestPayment failed: ${JSON.stringify(r.result)}`);
    return { paymentId, response: r.result, popupClosed: r.popupClosed };
  },
  // A declined card in a popup: the Promise resolves with code, message, pgCode.
  async v2_popup_declined(page) {
    const paymentId = uid('payment');
    const url = merchantPage('/v2-declined', '/v2/browser-sdk.js', '', v2Call(v2Params(paymentId)));
    const r = await popupFlow(page, url, '4111111111110002', '__response');
    if (r.result.code !== 'FAILURE_TYPE_PG') throw new Error(`a declined card resolved ${JSON.stringify(r.result)}`);
    return { paymentId, response: r.result };
  },
  // PortOne.requestIssueBillingKey (card window): the Promise resolves with the key.
  async v2_issue_billing_key(page) {
    const issueId = uid('issue');
    const call = `window.__response = await PortOne.requestIssueBillingKey(${JSON.stringify({
      storeId: STORE, channelKey: GALAXIA, billingKeyMethod: 'CARD', issueId, issueName: '월간 구독',
      customer: v2Params('x').customer,
    })});`;
    const url = merchantPage('/v2-issue', '/v2/browser-sdk.js', '', call);
    const r = await popupFlow(page, url, '5111111111111118', '__response');
    if (r.result.code || !r.result.billingKey) throw new Error(`requestIssueBillingKey: ${JSON.stringify(r.result)}`);
    return { issueId, response: r.result };
  },
  // PortOne.requestIssueBillingKeyAndPay (phone): paid, with the key.
  async v2_issue_billing_key_and_pay(page) {
    const paymentId = uid('andpay');
    const call = `window.__response = await PortOne.requestIssueBillingKeyAndPay(${JSON.stringify({
      storeId: STORE, channelKey: GALAXIA, billingKeyAndPayMethod: 'MOBILE', paymentId, orderName: '휴대폰 정기결제',
      totalAmount: 3300, currency: 'CURRENCY_KRW', productType: 'DIGITAL', customer: v2Params('x').customer,
    })});`;
    const url = merchantPage('/v2-andpay', '/v2/browser-sdk.js', '', call);
    const r = await popupFlow(page, url, null, '__response', '01012345678');
    if (r.result.code) throw new Error(`requestIssueBillingKeyAndPay: ${JSON.stringify(r.result)}`);
    return { paymentId, response: r.result };
  },
  // Iframe mode: the window opens over the page; the Promise resolves from its result page.
  async v2_iframe(page) {
    const paymentId = uid('payment');
    const params = { ...v2Params(paymentId), windowType: { pc: 'IFRAME' } };
    const url = merchantPage('/v2-iframe', '/v2/browser-sdk.js', '', v2Call(params));
    await page.goto(url, { timeout: STEP_TIMEOUT });
    await page.click('#buy');
    const frame = page.frameLocator('iframe[name=paymux_checkout]');
    await frame.locator('#pay').waitFor({ timeout: STEP_TIMEOUT });
    await frame.locator('input[name=cardNumber]').fill('4111111111111111');
    await frame.locator('#pay').click();
    await page.waitForFunction(() => window.__response !== undefined, null, { timeout: STEP_TIMEOUT });
    const response = await page.evaluate(() => window.__response);
    if (response.code) throw new Error(`requestPayment failed: ${JSON.stringify(response)}`);
    const frameGone = (await page.$('iframe[name=paymux_checkout]')) === null;
    return { paymentId, response, frameGone };
  },
  // The smart-routing document's example, as written (only the store and group ids are the
  // test's); a wrapper installed before it keeps the response for the test.
  async v2_smart_routing_example(page) {
    const setup = `const requestPayment = PortOne.requestPayment;
PortOne.requestPayment = function (params) {
  return requestPayment(params).then(function (r) { window.__response = r; window.__paymentId = params.paymentId; return r; });
};`;
    const example = smartRoutingExample('');
    const url = merchantPage('/v2-smart-routing', '/v2/browser-sdk.js', setup, example);
    const r = await popupFlow(page, url, '4111111111111111', '__response');
    if (r.result.code) throw new Error(`requestPayment failed: ${JSON.stringify(r.result)}`);
    return { paymentId: await page.evaluate(() => window.__paymentId), response: r.result };
  },
  // The same document's example in redirect mode: its call with `windowType` REDIRECTION and
  // a `redirectUrl` (the only additions), paid in the PG window the group chose.
  async v2_smart_routing_redirect(page) {
    const example = smartRoutingExample(`
windowType: { pc: "REDIRECTION" },
redirectUrl: "${SHOP}/done",`);
    const url = merchantPage('/v2-smart-routing-redirect', '/v2/browser-sdk.js', '', example);
    await page.goto(url, { timeout: STEP_TIMEOUT });
    await page.click('#buy');
    await payIn(page, '4111111111111111');
    await page.waitForURL((u) => u.href.startsWith(`${SHOP}/done`), { timeout: STEP_TIMEOUT });
    const query = Object.fromEntries(new URL(page.url()).searchParams.entries());
    if (query.code) throw new Error(`requestPayment failed: ${JSON.stringify(query)}`);
    return { paymentId: query.paymentId, query };
  },
  // A popup the browser blocks (window.open answers null, as a popup blocker makes it; the
  // test's Chromium runs without one): the same window over the page.
  async v2_popup_blocked(page) {
    const paymentId = uid('payment');
    const url = merchantPage('/v2-blocked', '/v2/browser-sdk.js', 'window.open = function () { return null; };', v2Call(v2Params(paymentId)));
    await page.goto(url, { timeout: STEP_TIMEOUT });
    await page.click('#buy');
    const frame = page.frameLocator('iframe[name=paymux_checkout]');
    await frame.locator('#pay').waitFor({ timeout: STEP_TIMEOUT });
    await frame.locator('input[name=cardNumber]').fill('4111111111111111');
    await frame.locator('#pay').click();
    await page.waitForFunction(() => window.__response !== undefined, null, { timeout: STEP_TIMEOUT });
    const response = await page.evaluate(() => window.__response);
    if (response.code) throw new Error(`requestPayment failed: ${JSON.stringify(response)}`);
    return { paymentId, response, pages: page.context().pages().length };
  },
  // The merchant's server pre-registered the payment (PAYMUX_PREREGISTERED_ID, 1000 won);
  // the page's amount was changed to 10 in the browser: refused before any window opens.
  async v2_tampered_amount(page) {
    const paymentId = env('PAYMUX_PREREGISTERED_ID');
    if (!paymentId) throw new Error('set PAYMUX_PREREGISTERED_ID');
    const params = { ...v2Params(paymentId), totalAmount: 10 };
    const url = merchantPage('/v2-tampered', '/v2/browser-sdk.js', '', v2Call(params));
    await page.goto(url, { timeout: STEP_TIMEOUT });
    await page.click('#buy');
    await page.waitForFunction(() => window.__response !== undefined, null, { timeout: STEP_TIMEOUT });
    const response = await page.evaluate(() => window.__response);
    if (!response.code) throw new Error(`a tampered amount was not refused: ${JSON.stringify(response)}`);
    // `pages`: the popup opened for the click is closed again.
    return { paymentId, response, pages: page.context().pages().length };
  },
  // Redirect mode: the page goes to the window and comes back to redirectUrl.
  async v2_redirect(page) {
    const paymentId = uid('payment');
    const params = { ...v2Params(paymentId), windowType: { pc: 'REDIRECTION' }, redirectUrl: `${SHOP}/done` };
    const url = merchantPage('/v2-redirect', '/v2/browser-sdk.js', '', v2Call(params));
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(url, { timeout: STEP_TIMEOUT });
    await shot(page, 'desktop-1280x800-merchant');
    await page.click('#buy');
    await page.waitForSelector('#pay', { timeout: STEP_TIMEOUT });
    await shot(page, 'desktop-1280x800-pg-window');
    await payIn(page, '4111111111111111');
    await page.waitForURL((u) => u.href.startsWith(`${SHOP}/done`), { timeout: STEP_TIMEOUT });
    await page.waitForSelector('#done', { timeout: STEP_TIMEOUT });
    const query = Object.fromEntries(new URL(page.url()).searchParams.entries());
    await resultShot(page, 'desktop-1280x800-result', query);
    return { paymentId, query };
  },
  // PortOne's npm package (@portone/browser-sdk) with paymux's script loaded first: the
  // package uses the window.PortOne it finds instead of loading PortOne's CDN script.
  async v2_npm_package(page) {
    if (!existsSync(PORTONE_SDK)) return { skipped: `no ${PORTONE_SDK} (npm ci in tests/browser)` };
    const paymentId = uid('payment');
    const path = '/v2-npm';
    pages[path] = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>상점</title>
<script src="${BASE}/v2/browser-sdk.js"></script></head><body><h1>상점</h1>
<button id="buy">결제하기</button>
<script type="module">
import * as PortOne from "/npm/@portone/browser-sdk/v2.js";
document.getElementById('buy').addEventListener('click', async function () {
  window.__response = await PortOne.requestPayment(${JSON.stringify(v2Params(paymentId))});
});
</script></body></html>`;
    const cdnRequests = [];
    page.on('request', (r) => { if (r.url().includes('cdn.portone.io')) cdnRequests.push(r.url()); });
    const r = await popupFlow(page, `${SHOP}${path}`, '4111111111111111', '__response');
    if (r.result.code) throw new Error(`requestPayment failed: ${JSON.stringify(r.result)}`);
    return { paymentId, response: r.result, cdnRequests };
  },
  // On a phone (390x844, a phone's user agent) requestPayment redirects without windowType.
  async v2_phone(page) {
    const paymentId = uid('payment');
    const params = { ...v2Params(paymentId), redirectUrl: `${SHOP}/done` };
    const url = merchantPage('/v2-phone', '/v2/browser-sdk.js', '', v2Call(params));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setUserAgentOverride', {
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
    });
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url, { timeout: STEP_TIMEOUT });
    await shot(page, 'phone-390x844-merchant');
    await page.click('#buy');
    await page.waitForSelector('#pay', { timeout: STEP_TIMEOUT });
    await shot(page, 'phone-390x844-pg-window');
    await payIn(page, '4111111111111111');
    await page.waitForURL((u) => u.href.startsWith(`${SHOP}/done`), { timeout: STEP_TIMEOUT });
    const query = Object.fromEntries(new URL(page.url()).searchParams.entries());
    await resultShot(page, 'phone-390x844-result', query);
    return { paymentId, query };
  },
};

// PortOne's checkout guide's requestPayment call, with the sandbox's store and channel.
function v2Params(paymentId) {
  return {
    storeId: STORE,
    channelKey: GALAXIA,
    paymentId,
    orderName: '나이키 와플 트레이너 2 SD',
    totalAmount: 1000,
    currency: 'CURRENCY_KRW',
    payMethod: 'CARD',
    customer: { customerId: 'cust-1', fullName: '홍길동', phoneNumber: '010-1234-5678', email: 'buyer@example.com' },
  };
}

const profile = mkdtempSync(join(tmpdir(), 'paymux-chromium-'));
let context;
const results = [];
let failed = 0;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const [name, flow] of Object.entries(flows)) {
    if (ONLY.length && !ONLY.includes(name)) continue;
    const page = await context.newPage();
    page.on('console', (m) => log(`${name} console: ${m.text()}`));
    const started = Date.now();
    try {
      const r = await flow(page);
      results.push({ flow: name, ok: true, ...r });
      log(`${name}: ok (${Date.now() - started} ms)`);
    } catch (e) {
      failed += 1;
      results.push({ flow: name, ok: false, error: String(e?.message ?? e), url: page.url() });
      log(`${name}: FAILED: ${e?.message ?? e} (at ${page.url()})`);
      try {
        log(`page text: ${(await page.textContent('body'))?.slice(0, 500)}`);
      } catch {}
    } finally {
      for (const p of context.pages()) await p.close();
    }
  }
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
  shop.close();
}
console.log(`RESULT ${JSON.stringify(results)}`);
process.exit(failed ? 1 : 0);
