/* paymux: window.PortOne, PortOne's V2 browser SDK served by the gateway.
 * PortOne's @portone/browser-sdk uses window.PortOne when a script already defined it, so a
 * merchant page switches to paymux by loading this script (https://developers.portone.io/sdk).
 * Popup and iframe windows resolve the Promise with PortOne's response fields; redirect mode
 * (a phone, or windowType REDIRECTION) returns to redirectUrl with them as query parameters. */
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script ? script.src.replace(/\/v[12]\/(browser-sdk|iamport)\.js(\?.*)?$/, '') : '';
  var gatewayOrigin = new URL(base || location.href).origin;
  var FIELDS = ['paymentId', 'billingKey', 'txId', 'transactionType', 'code', 'message', 'pgCode', 'pgMessage'];

  function isMobile() {
    return /Mobi|Android|iPhone|iPad|iPod/i.test(navigator.userAgent || '');
  }

  // PortOne's windowType: { pc, mobile } of IFRAME, POPUP, REDIRECTION, UI.
  function modeOf(params) {
    var wt = params.windowType || {};
    var t = isMobile() ? (wt.mobile || 'REDIRECTION') : (wt.pc || 'POPUP');
    if (params.forceRedirect) t = 'REDIRECTION';
    return t === 'IFRAME' || t === 'REDIRECTION' ? t : 'POPUP';
  }

  function pick(obj) {
    var out = {};
    FIELDS.forEach(function (k) {
      if (obj[k] !== undefined && obj[k] !== null) out[k] = obj[k];
    });
    return out;
  }

  function failure(kind, params, code, message) {
    return pick({
      paymentId: params.paymentId,
      transactionType: kind,
      code: code,
      message: message
    });
  }

  // Open the window for the session: popup (opened before the request, so that the click's
  // permission holds), iframe over the page, or the page itself.
  function run(kind, params, open) {
    var mode = modeOf(params);
    var popup = mode === 'POPUP' ? window.open('', 'paymux_checkout', 'width=480,height=720') : null;
    // A blocked popup: the same window over the page (its result page answers either way).
    if (mode === 'POPUP' && !popup) mode = 'IFRAME';
    var body = Object.assign({}, params, { kind: kind, windowMode: mode });
    return open(body).then(function (session) {
      if (session.error) {
        if (popup) popup.close();
        return failure(kind, params, session.error.type, session.error.message);
      }
      if (mode === 'REDIRECTION') {
        location.href = session.checkoutUrl;
        return new Promise(function () {});
      }
      return waitFor(mode, popup, session, kind);
    }, function (err) {
      if (popup) popup.close();
      return failure(kind, params, 'FAILURE_TYPE_PG', 'the payment gateway could not be reached: ' + err.message);
    });
  }

  function waitFor(mode, popup, session, kind) {
    return new Promise(function (resolve) {
      var frame = null;
      var overlay = null;
      var target;
      if (mode === 'IFRAME') {
        overlay = document.createElement('div');
        overlay.setAttribute('style', 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.5);display:flex;align-items:center;justify-content:center');
        frame = document.createElement('iframe');
        frame.name = 'paymux_checkout';
        frame.setAttribute('style', 'width:min(480px,100vw);height:min(720px,100vh);border:0;background:#fff');
        frame.src = session.checkoutUrl;
        overlay.appendChild(frame);
        document.body.appendChild(overlay);
        target = frame.contentWindow;
      } else {
        popup.location.href = session.checkoutUrl;
        target = popup;
      }
      var timer = null;
      function done(result) {
        window.removeEventListener('message', onMessage);
        if (timer) clearInterval(timer);
        if (overlay) overlay.remove();
        if (popup && !popup.closed) popup.close();
        resolve(result);
      }
      function onMessage(e) {
        // Only the window this call opened, and only pages of the gateway.
        if (e.origin !== gatewayOrigin || e.source !== target) return;
        if (!e.data || typeof e.data !== 'object') return;
        done(pick(e.data));
      }
      window.addEventListener('message', onMessage);
      if (popup) {
        timer = setInterval(function () {
          if (popup.closed) {
            done({ transactionType: kind, paymentId: session.paymentId, txId: session.txId, code: 'FAILURE_TYPE_PG', message: '결제창이 닫혔습니다. (the payment window was closed)' });
          }
        }, 500);
      }
    });
  }

  function post(path, body) {
    return fetch(base + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (v) {
        return r.ok ? v : { error: v };
      });
    });
  }

  function v2(kind) {
    return function (params) {
      return run(kind, params || {}, function (body) { return post('/browser/checkout', body); });
    };
  }

  window.PortOne = {
    requestPayment: v2('PAYMENT'),
    requestIssueBillingKey: v2('ISSUE_BILLING_KEY'),
    requestIssueBillingKeyAndPay: v2('ISSUE_BILLING_KEY_AND_PAY'),
    // For /v1/iamport.js: the same windows for V1 parameters.
    __paymux: { run: run, post: post, base: base }
  };
})();
