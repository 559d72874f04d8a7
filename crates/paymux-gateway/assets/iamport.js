/* paymux: window.IMP, PortOne's V1 browser SDK (IMP.init, IMP.request_pay) served by the
 * gateway after the V2 SDK above. The V1 parameters are mapped to the V2 checkout request on
 * the server (errors name the V1 parameter); the callback gets V1's rsp
 * (https://developers.portone.io/sdk/ko/v1-sdk/javascript-sdk/readme). */
(function () {
  'use strict';
  var sdk = window.PortOne.__paymux;
  var storeId = null;

  function rspOf(params, r) {
    var ok = !r.code;
    // customer_uid with card opens the billing-key window: nothing is charged.
    var keyOnly = !!params.customer_uid && params.pay_method === 'card';
    var rsp = {
      success: ok,
      imp_uid: r.txId || null,
      merchant_uid: params.merchant_uid,
      pay_method: params.pay_method,
      paid_amount: ok && !keyOnly ? params.amount : 0,
      status: ok ? (keyOnly ? 'ready' : 'paid') : 'failed',
      error_code: ok ? null : r.code,
      error_msg: ok ? null : r.message
    };
    if (params.customer_uid) rsp.customer_uid = params.customer_uid;
    return rsp;
  }

  window.IMP = {
    /** `IMP.init(storeId)`: the store (V1's merchant code names the store here). */
    init: function (code) {
      storeId = code;
    },
    /** `IMP.request_pay(params, callback)`. */
    request_pay: function (params, callback) {
      params = params || {};
      var kind = params.customer_uid ? (params.pay_method === 'phone' ? 'ISSUE_BILLING_KEY_AND_PAY' : 'ISSUE_BILLING_KEY') : 'PAYMENT';
      var p = sdk.run(kind, { paymentId: params.merchant_uid }, function (body) {
        return sdk.post('/browser/v1/checkout', { storeId: storeId, windowMode: body.windowMode, params: params });
      }).then(function (r) {
        var rsp = rspOf(params, r);
        if (typeof callback === 'function') callback(rsp);
        return rsp;
      });
      return p;
    }
  };
})();
