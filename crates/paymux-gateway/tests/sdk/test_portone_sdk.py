"""The official PortOne Python server SDK (`pip install portone-server-sdk`) against paymux.

Run by the Rust tests `portone_python_sdk_against_the_gateway_on_{sqlite,postgres}` (tests/gateway/main.rs), which
starts a gateway with the test-only `fake` PG and passes:

  PAYMUX_BASE_URL, PAYMUX_API_SECRET, PAYMUX_WEBHOOK_SECRET, PAYMUX_CHANNEL_KEY,
  PAYMUX_GROUP_ID, PAYMUX_CARD_OK, PAYMUX_CARD_DECLINED,
  PAYMUX_CASH_RECEIPT_CHANNEL_KEY (a Toss Payments simulator channel)

Every SDK call deserializes the gateway's answer with the SDK's own generated types, so this
checks the response shapes (Payment, BillingKeyInfo, PaymentSchedule, errors) and the webhook
signature, as a PortOne merchant would see them. Exits non-zero on the first failure.
"""

import datetime
import http.server
import json
import os
import sys
import threading
import time
import uuid

import portone_server_sdk as portone
from portone_server_sdk import errors, webhook
from portone_server_sdk.common import CardCredential, CustomerInput, CustomerNameInput, PageInput, PaymentAmountInput
from portone_server_sdk.payment import (
    BillingKeyPaymentInput,
    InstantPaymentMethodInput,
    InstantPaymentMethodInputCard,
    PaymentFilterInput,
    PaymentLogistics,
    PaymentTextSearch,
    RegisterStoreReceiptBodyItem,
)
from portone_server_sdk.payment.billing_key import (
    InstantBillingKeyPaymentMethodInput,
    InstantBillingKeyPaymentMethodInputCard,
)

BASE = os.environ["PAYMUX_BASE_URL"]
SECRET = os.environ["PAYMUX_API_SECRET"]
WEBHOOK_SECRET = os.environ["PAYMUX_WEBHOOK_SECRET"]
CHANNEL = os.environ["PAYMUX_CHANNEL_KEY"]
GROUP = os.environ["PAYMUX_GROUP_ID"]
CARD_OK = os.environ["PAYMUX_CARD_OK"]
CARD_DECLINED = os.environ["PAYMUX_CARD_DECLINED"]
RECEIPT_CHANNEL = os.environ["PAYMUX_CASH_RECEIPT_CHANNEL_KEY"]

client = portone.PaymentClient(secret=SECRET, base_url=BASE)
passed = 0


def check(name, cond, detail=""):
    global passed
    if not cond:
        print(f"FAIL {name} {detail}", flush=True)
        sys.exit(1)
    passed += 1
    print(f"ok   {name}", flush=True)


def credential(number):
    return CardCredential(
        number=number,
        expiry_year="29",
        expiry_month="12",
        birth_or_business_registration_number="880229",
        password_two_digits="42",
    )


def pid(prefix="payment"):
    # PortOne's own id style (`payment-${crypto.randomUUID()}`), hyphens included.
    return f"{prefix}-{uuid.uuid4()}"


# A webhook receiver of our own, named in noticeUrls.
received = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"])).decode()
        received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=server.serve_forever, daemon=True).start()
hook_url = f"http://127.0.0.1:{server.server_address[1]}/hook"

# 1. Instant payment, get, and the typed Payment.
payment_id = pid()
res = client.pay_instantly(
    payment_id=payment_id,
    channel_key=CHANNEL,
    method=InstantPaymentMethodInput(card=InstantPaymentMethodInputCard(credential=credential(CARD_OK))),
    order_name="SDK order",
    amount=PaymentAmountInput(total=10000),
    currency="KRW",
    customer=CustomerInput(id="cust-1", name=CustomerNameInput(full="홍길동")),
    notice_urls=[hook_url],
)
check("pay_instantly returns pgTxId", bool(res.payment.pg_tx_id), repr(res))
p = client.get_payment(payment_id=payment_id)
check("get_payment is PaidPayment", type(p).__name__ == "PaidPayment", type(p).__name__)
check("amount.total", p.amount.total == 10000)
check("channel.key", p.channel.key == CHANNEL)
check("masked card", p.method is not None and p.method.card.number == "411111******1111", repr(p.method))

# 2. Errors map to the SDK's typed errors.
try:
    client.pay_instantly(
        payment_id=payment_id,
        channel_key=CHANNEL,
        method=InstantPaymentMethodInput(card=InstantPaymentMethodInputCard(credential=credential(CARD_OK))),
        order_name="again",
        amount=PaymentAmountInput(total=10000),
        currency="KRW",
    )
    check("duplicate raises", False)
except errors.AlreadyPaidError:
    check("duplicate raises AlreadyPaidError", True)

declined_id = pid()
try:
    client.pay_instantly(
        payment_id=declined_id,
        channel_key=CHANNEL,
        method=InstantPaymentMethodInput(card=InstantPaymentMethodInputCard(credential=credential(CARD_DECLINED))),
        order_name="declined",
        amount=PaymentAmountInput(total=1000),
        currency="KRW",
    )
    check("declined raises", False)
except errors.PgProviderError as e:
    check("declined raises PgProviderError with pgCode", e.pg_code == "D002", repr(e))
p = client.get_payment(payment_id=declined_id)
check("declined payment is FailedPayment", type(p).__name__ == "FailedPayment", type(p).__name__)

txs = client.get_payment_transactions(payment_id=declined_id)
check(
    "get_payment_transactions typed",
    [type(t).__name__ for t in txs.items] == ["FailedPaymentTransaction"] and txs.items[0].payment_id == declined_id,
    repr(txs),
)
try:
    client.get_payment_transactions(payment_id="no-such-payment")
    check("transactions of a missing payment raise", False)
except errors.PaymentNotFoundError:
    check("transactions of a missing payment raise PaymentNotFoundError", True)

try:
    client.get_payment(payment_id="no-such-payment")
    check("missing raises", False)
except errors.PaymentNotFoundError:
    check("missing raises PaymentNotFoundError", True)

try:
    portone.PaymentClient(secret="wrong", base_url=BASE).get_payment(payment_id=payment_id)
    check("bad secret raises", False)
except errors.UnauthorizedError:
    check("bad secret raises UnauthorizedError", True)

try:
    client.pay_instantly(
        payment_id=pid(),
        channel_key=CHANNEL,
        method=InstantPaymentMethodInput(card=InstantPaymentMethodInputCard(credential=credential(CARD_OK))),
        order_name="parts",
        amount=PaymentAmountInput(total=1000, tax_free=2000),
        currency="KRW",
    )
    check("parts above the total raise", False)
except errors.SumOfPartsExceedsTotalAmountError:
    check("parts above the total raise SumOfPartsExceedsTotalAmountError", True)

pre_id = pid()
client.pre_register_payment(payment_id=pre_id, total_amount=5000, currency="KRW")
try:
    client.pay_instantly(
        payment_id=pre_id,
        channel_key=CHANNEL,
        method=InstantPaymentMethodInput(card=InstantPaymentMethodInputCard(credential=credential(CARD_OK))),
        order_name="pre-registered",
        amount=PaymentAmountInput(total=4000),
        currency="KRW",
    )
    check("a payment unlike its pre-registration raises", False)
except errors.InvalidRequestError as e:
    check("a payment unlike its pre-registration raises InvalidRequestError", "amount.total" in (e.message or ""), repr(e))
res = client.pay_instantly(
    payment_id=pre_id,
    channel_key=CHANNEL,
    method=InstantPaymentMethodInput(card=InstantPaymentMethodInputCard(credential=credential(CARD_OK))),
    order_name="pre-registered",
    amount=PaymentAmountInput(total=5000),
    currency="KRW",
)
check("the pre-registered payment goes through", bool(res.payment.pg_tx_id))
try:
    client.pre_register_payment(payment_id=pre_id, total_amount=1)
    check("pre-registering a paid id raises", False)
except errors.AlreadyPaidError:
    check("pre-registering a paid id raises AlreadyPaidError", True)

# 3. Cancel: partial, then too much, then the rest.
c = client.cancel_payment(payment_id=payment_id, reason="partial", amount=3000)
check("partial cancel SUCCEEDED", type(c.cancellation).__name__ == "SucceededPaymentCancellation", repr(c))
try:
    client.cancel_payment(payment_id=payment_id, reason="too much", amount=8000)
    check("over-cancel raises", False)
except errors.CancelAmountExceedsCancellableAmountError:
    check("over-cancel raises CancelAmountExceedsCancellableAmountError", True)
try:
    client.cancel_payment(payment_id=payment_id, reason="parts", amount=1000, tax_free_amount=1001)
    check("parts above the cancel raise", False)
except errors.SumOfPartsExceedsCancelAmountError:
    check("parts above the cancel raise SumOfPartsExceedsCancelAmountError", True)
p = client.get_payment(payment_id=payment_id)
check("PartialCancelledPayment", type(p).__name__ == "PartialCancelledPayment", type(p).__name__)
client.cancel_payment(payment_id=payment_id, reason="rest")
p = client.get_payment(payment_id=payment_id)
check("CancelledPayment", type(p).__name__ == "CancelledPayment", type(p).__name__)
check("two cancellations", len(p.cancellations) == 2)

# 4. Super billing key over the group, pay with it, schedule, revoke, delete.
issued = client.billing_key.issue_billing_key(
    channel_group_id=GROUP,
    method=InstantBillingKeyPaymentMethodInput(card=InstantBillingKeyPaymentMethodInputCard(credential=credential(CARD_OK))),
    customer=CustomerInput(id="cust-1"),
)
key = issued.billing_key_info.billing_key
check("issue_billing_key on the group", len(issued.billing_key_info.channels) == 2, repr(issued))
info = client.billing_key.get_billing_key_info(billing_key=key)
check("get_billing_key_info ISSUED", type(info).__name__ == "IssuedBillingKeyInfo", type(info).__name__)
paid = client.pay_with_billing_key(
    payment_id=pid(), billing_key=key, order_name="monthly", amount=PaymentAmountInput(total=9900), currency="KRW"
)
check("pay_with_billing_key", bool(paid.payment.pg_tx_id))
# A cash receipt the PG's billing charge cannot carry is refused, never silently dropped.
from portone_server_sdk.common import CashReceiptInput

refused_id = pid()
try:
    client.pay_with_billing_key(
        payment_id=refused_id,
        billing_key=key,
        order_name="monthly",
        amount=PaymentAmountInput(total=9900),
        currency="KRW",
        cash_receipt=CashReceiptInput(type="PERSONAL", customer_identity_number="01012345678"),
    )
    check("pay_with_billing_key with a cashReceipt raises", False)
except errors.InvalidRequestError as e:
    check("pay_with_billing_key with a cashReceipt: InvalidRequestError naming it", "cashReceipt" in str(e.message), str(e.message))
try:
    client.get_payment(payment_id=refused_id)
    check("the refused payment was not recorded", False)
except errors.PaymentNotFoundError:
    check("the refused payment was not recorded", True)

when = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).isoformat()
sched = client.payment_schedule.create_payment_schedule(
    payment_id=pid(),
    payment=BillingKeyPaymentInput(billing_key=key, order_name="later", amount=PaymentAmountInput(total=9900), currency="KRW"),
    time_to_pay=when,
)
s = client.payment_schedule.get_payment_schedule(payment_schedule_id=sched.schedule.id)
check("ScheduledPaymentSchedule", type(s).__name__ == "ScheduledPaymentSchedule", type(s).__name__)
from portone_server_sdk.payment.payment_schedule import PaymentScheduleFilterInput, PaymentScheduleSortInput

listed = client.payment_schedule.get_payment_schedules(
    filter=PaymentScheduleFilterInput(billing_key=key, status=["SCHEDULED"]),
    sort=PaymentScheduleSortInput(by="CREATED_AT", order="ASC"),
)
check(
    "get_payment_schedules",
    [x.id for x in listed.items] == [sched.schedule.id] and listed.page.total_count == 1
    and type(listed.items[0]).__name__ == "ScheduledPaymentSchedule",
    repr(listed),
)
try:
    client.payment_schedule.get_payment_schedules(filter=PaymentScheduleFilterInput(status=["NOPE"]))
    check("bad schedule filter raises", False)
except errors.InvalidRequestError:
    check("bad schedule filter raises InvalidRequestError", True)
rev = client.payment_schedule.revoke_payment_schedules(schedule_ids=[sched.schedule.id])
check("revoke_payment_schedules", rev.revoked_schedule_ids == [sched.schedule.id], repr(rev))
s = client.payment_schedule.get_payment_schedule(payment_schedule_id=sched.schedule.id)
check("RevokedPaymentSchedule", type(s).__name__ == "RevokedPaymentSchedule", type(s).__name__)
from portone_server_sdk.payment.billing_key import BillingKeyFilterInput, BillingKeySortInput, BillingKeyTextSearch

keys = client.billing_key.get_billing_key_infos(
    filter=BillingKeyFilterInput(
        status=["ISSUED"], customer_id="cust-1", text_search=BillingKeyTextSearch(field="BILLING_KEY", value=key)
    ),
    sort=BillingKeySortInput(by="ISSUED_AT", order="DESC"),
)
check(
    "get_billing_key_infos",
    [k.billing_key for k in keys.items] == [key] and keys.page.total_count == 1
    and type(keys.items[0]).__name__ == "IssuedBillingKeyInfo",
    repr(keys),
)
try:
    client.billing_key.get_billing_key_infos(filter=BillingKeyFilterInput(pg_companies=["NICE"]))
    check("unsupported billing-key filter raises", False)
except errors.InvalidRequestError:
    check("unsupported billing-key filter raises InvalidRequestError", True)
deleted = client.billing_key.delete_billing_key(billing_key=key)
check("delete_billing_key", bool(deleted.deleted_at))
info = client.billing_key.get_billing_key_info(billing_key=key)
check("DeletedBillingKeyInfo", type(info).__name__ == "DeletedBillingKeyInfo", type(info).__name__)
try:
    client.billing_key.delete_billing_key(billing_key=key)
    check("second delete raises", False)
except errors.BillingKeyAlreadyDeletedError:
    check("second delete raises BillingKeyAlreadyDeletedError", True)

# 5. Lists: get_payments (filters, text search, page) and get_all_payments_by_cursor, typed
# by the SDK's own deserializers.
page = client.get_payments(page=PageInput(number=0, size=2), filter=PaymentFilterInput(status=["FAILED"]))
check("get_payments by status", [x.id for x in page.items] == [declined_id], repr(page))
check("get_payments FailedPayment items", type(page.items[0]).__name__ == "FailedPayment")
check("get_payments page info", (page.page.number, page.page.size, page.page.total_count) == (0, 2, 1), repr(page.page))
page = client.get_payments(
    filter=PaymentFilterInput(text_search=[PaymentTextSearch(field="PAYMENT_ID", value=payment_id)])
)
check("get_payments text search by id", [type(x).__name__ for x in page.items] == ["CancelledPayment"], repr(page))
page = client.get_payments(
    filter=PaymentFilterInput(
        is_test=True, methods=["CARD"], currency="KRW", sort_by="REQUESTED_AT", sort_order="ASC",
        text_search=[PaymentTextSearch(field="ORDER_NAME", value="SDK")],
    )
)
check("get_payments combined filters", [x.id for x in page.items] == [payment_id], repr(page))
everything = client.get_payments(page=PageInput(size=1000))
check("get_payments totalCount", everything.page.total_count == len(everything.items) >= 3, repr(everything.page))
seen, cursor = [], None
while True:
    batch = client.get_all_payments_by_cursor(cursor=cursor, size=2)
    if not batch.items:
        break
    seen += [x.payment.id for x in batch.items]
    cursor = batch.items[-1].cursor
check("get_all_payments_by_cursor sees every payment once", sorted(seen) == sorted(x.id for x in everything.items), repr(seen))
check("cursor order is oldest first", seen[0] == payment_id, repr(seen))
try:
    client.get_payments(page=PageInput(size=100000))
    check("huge page raises", False)
except errors.InvalidRequestError as e:
    check("huge page raises InvalidRequestError", "page.size" in (e.message or ""), repr(e))
try:
    client.get_all_payments_by_cursor(cursor="not-a-cursor")
    check("bad cursor raises", False)
except errors.InvalidRequestError:
    check("bad cursor raises InvalidRequestError", True)

# 5b. Tokens: the SDK's AuthClient logs in and refreshes; the access token works as
# `Authorization: Bearer` (the SDK's clients send the secret, so plain httpx here); a used
# refresh token raises the SDK's UnauthorizedError.
import httpx  # noqa: E402 (the SDK's own HTTP client)

auth = portone.AuthClient(secret=SECRET, base_url=BASE)
tokens = auth.login_via_api_secret(api_secret=SECRET)
check("login gives two tokens", bool(tokens.access_token) and bool(tokens.refresh_token))
r = httpx.get(f"{BASE}/payments/{uuid.uuid4().hex}", headers={"Authorization": f"Bearer {tokens.access_token}"})
check("bearer token accepted", r.status_code == 404 and r.json()["type"] == "PAYMENT_NOT_FOUND", r.text)
again = auth.refresh_token(refresh_token=tokens.refresh_token)
check("refresh rotates", again.refresh_token != tokens.refresh_token)
try:
    auth.refresh_token(refresh_token=tokens.refresh_token)
    check("refresh replay refused", False)
except errors.UnauthorizedError:
    check("refresh replay raises UnauthorizedError", True)
try:
    auth.login_via_api_secret(api_secret="not-the-secret")
    check("wrong secret refused", False)
except errors.UnauthorizedError:
    check("wrong secret raises UnauthorizedError", True)

# 6. Webhooks: verified by the SDK's own Standard Webhooks implementation.
deadline = time.time() + 20
while len(received) < 3 and time.time() < deadline:
    time.sleep(0.1)
check("webhooks received", len(received) >= 3, f"{len(received)} received")
types = []
for headers, body in received:
    hook = webhook.verify(WEBHOOK_SECRET, body, headers)
    types.append(type(hook).__name__)
    try:
        webhook.verify("whsec_" + "QUJD" * 8, body, headers)
        check("wrong secret rejected", False)
    except webhook.WebhookVerificationError:
        pass
check(
    "webhook types",
    {"WebhookTransactionPaid", "WebhookTransactionCancelledPartialCancelled", "WebhookTransactionCancelledCancelled"} <= set(types),
    repr(types),
)

# 7. Webhook history and resend: the Payment's `webhooks` and resend_webhook, typed by the SDK.
deadline = time.time() + 10
while True:
    # A delivery is marked after the receiver answered: wait for the last marks.
    history = client.get_payment(payment_id=payment_id).webhooks or []
    if (len(history) >= 3 and all(w.status == "SUCCEEDED" for w in history)) or time.time() > deadline:
        break
    time.sleep(0.1)
check("payment webhooks history", len(history) >= 3, repr(history))
check(
    "history entries delivered",
    all(w.status == "SUCCEEDED" and w.url and w.current_execution_count == 1 for w in history),
    repr(history),
)
resent = client.resend_webhook(payment_id=payment_id, webhook_id=history[0].id).webhook
check("resend_webhook answers the new delivery", resent.trigger == "MANUAL" and resent.status == "SUCCEEDED", repr(resent))
# The receiver also gets the other payments' webhooks (and their retries) meanwhile: count the
# deliveries that carry the resend's own `webhook-id`.
def delivery_id(headers):
    return next((v for k, v in headers.items() if k.lower() == "webhook-id"), None)
mine = [r for r in received if delivery_id(r[0]) == resent.id]
check("resend_webhook delivered again, once", len(mine) == 1, f"{len(mine)} deliveries with id {resent.id}")
webhook.verify(WEBHOOK_SECRET, mine[0][1], mine[0][0])
check("the resent webhook verifies", True)
try:
    client.resend_webhook(payment_id=payment_id, webhook_id="whmsg_nope")
    check("unknown webhook raises", False)
except errors.WebhookNotFoundError:
    check("unknown webhook raises WebhookNotFoundError", True)
try:
    client.resend_webhook(payment_id=pid())
    check("unknown payment raises", False)
except errors.PaymentNotFoundError:
    check("unknown payment raises PaymentNotFoundError", True)

# 8. closeVirtualAccount, escrow, registerStoreReceipt, getPromotion, getKakaopayPaymentOrder:
# the fake PG issues no virtual accounts and has no escrow or receipt calls, so each answers
# an error of its PortOne union, raised as the SDK's typed error.
esc_id = pid("escrow")
client.pay_instantly(
    payment_id=esc_id,
    channel_key=CHANNEL,
    method=InstantPaymentMethodInput(card=InstantPaymentMethodInputCard(credential=credential(CARD_OK))),
    order_name="SDK escrow order",
    amount=PaymentAmountInput(total=10000),
    currency="KRW",
)
try:
    client.close_virtual_account(payment_id=esc_id)
    check("close of a card payment raises", False)
except errors.PaymentNotWaitingForDepositError:
    check("close_virtual_account of a paid card raises PaymentNotWaitingForDepositError", True)
try:
    client.close_virtual_account(payment_id=pid())
    check("close of an unknown payment raises", False)
except errors.PaymentNotFoundError:
    check("close_virtual_account of an unknown payment raises PaymentNotFoundError", True)
logistics = PaymentLogistics(company="CJ", invoice_number="123456789012", sent_at="2026-01-02T10:00:00+09:00")
for name, call in [
    ("apply_escrow_logistics", lambda i: client.apply_escrow_logistics(payment_id=i, logistics=logistics, send_email=True)),
    ("modify_escrow_logistics", lambda i: client.modify_escrow_logistics(payment_id=i, logistics=logistics)),
    ("confirm_escrow", lambda i: client.confirm_escrow(payment_id=i, from_store=True)),
    (
        "register_store_receipt",
        lambda i: client.register_store_receipt(
            payment_id=i,
            items=[
                RegisterStoreReceiptBodyItem(
                    store_business_registration_number="1234567890",
                    store_name="하위 상점",
                    total_amount=10000,
                    currency="KRW",
                    tax_free_amount=0,
                    vat_amount=909,
                    supply_amount=9091,
                )
            ],
        ),
    ),
]:
    try:
        call(esc_id)
        check(f"{name} on a PG without it raises", False)
    except errors.PgProviderError as e:
        check(f"{name} on a PG without it raises PgProviderError", e.pg_code == "PAYMUX_PG_UNSUPPORTED", repr(e))
    try:
        call(pid())
        check(f"{name} of an unknown payment raises", False)
    except errors.PaymentNotFoundError:
        check(f"{name} of an unknown payment raises PaymentNotFoundError", True)
try:
    client.apply_escrow_logistics(
        payment_id=esc_id,
        logistics=PaymentLogistics(company="NOT_A_COMPANY", invoice_number="1", sent_at="2026-01-02T10:00:00+09:00"),
    )
    check("an unknown logistics company raises", False)
except errors.InvalidRequestError as e:
    check("an unknown logistics company raises InvalidRequestError", "logistics.company" in (e.message or ""), repr(e))
try:
    portone.PromotionClient(secret=SECRET, base_url=BASE).get_promotion(promotion_id="promotion-1")
    check("get_promotion raises", False)
except errors.PromotionNotFoundError:
    check("get_promotion raises PromotionNotFoundError", True)
try:
    portone.PgSpecificClient(secret=SECRET, base_url=BASE).get_kakaopay_payment_order(pg_tx_id="T1", channel_key=CHANNEL)
    check("get_kakaopay_payment_order raises", False)
except errors.InvalidRequestError as e:
    check("get_kakaopay_payment_order raises InvalidRequestError naming channelKey", "channelKey" in (e.message or ""), repr(e))
# Cash receipts: issue, read, list, cancel, and the typed errors of each operation.
from portone_server_sdk.payment.cash_receipt import (
    CancelledCashReceipt,
    CashReceiptFilterInput,
    IssueCashReceiptCustomerInput,
    IssuedCashReceipt,
)

receipts = client.cash_receipt
receipt_id = pid("receipt")
issued = receipts.issue_cash_receipt(
    payment_id=receipt_id,
    channel_key=RECEIPT_CHANNEL,
    type="PERSONAL",
    order_name="현금영수증 주문",
    currency="KRW",
    amount=PaymentAmountInput(total=15000, tax_free=4000),
    customer=IssueCashReceiptCustomerInput(identity_number="01000001234", name="김포트"),
).cash_receipt
check("issue_cash_receipt", issued.pg_receipt_id and issued.issue_number and issued.url.startswith("https://"), repr(issued))
got = receipts.get_cash_receipt_by_payment_id(payment_id=receipt_id)
check(
    "get_cash_receipt_by_payment_id is an IssuedCashReceipt",
    isinstance(got, IssuedCashReceipt)
    and got.amount == 15000
    and got.tax_free_amount == 4000
    and got.pg_receipt_id == issued.pg_receipt_id
    and got.is_manual
    and got.channel.key == RECEIPT_CHANNEL,
    repr(got),
)
page = receipts.get_cash_receipts(
    page=PageInput(number=0, size=10), filter=CashReceiptFilterInput(payment_id=receipt_id)
)
check("get_cash_receipts by paymentId", page.page.total_count == 1 and page.items[0].payment_id == receipt_id, repr(page))
try:
    receipts.issue_cash_receipt(
        payment_id=receipt_id,
        channel_key=RECEIPT_CHANNEL,
        type="PERSONAL",
        order_name="again",
        currency="KRW",
        amount=PaymentAmountInput(total=15000),
        customer=IssueCashReceiptCustomerInput(identity_number="01000001234"),
    )
    check("issuing twice raises", False)
except errors.CashReceiptAlreadyIssuedError:
    check("issuing twice raises CashReceiptAlreadyIssuedError", True)
try:
    receipts.issue_cash_receipt(
        payment_id=pid("receipt"),
        channel_key=CHANNEL,
        type="PERSONAL",
        order_name="fake PG",
        currency="KRW",
        amount=PaymentAmountInput(total=1000),
        customer=IssueCashReceiptCustomerInput(identity_number="01000001234"),
    )
    check("a PG without receipts raises", False)
except errors.InvalidRequestError as e:
    check("a PG without receipts raises InvalidRequestError naming it", "Fake PG" in (e.message or ""), repr(e))
try:
    receipts.issue_cash_receipt(
        payment_id=pid("receipt"),
        channel_key="no-such-channel",
        type="CORPORATE",
        order_name="x",
        currency="KRW",
        amount=PaymentAmountInput(total=1000),
        customer=IssueCashReceiptCustomerInput(identity_number="1234567890"),
    )
    check("an unknown channel raises", False)
except errors.ChannelNotFoundError:
    check("an unknown channel raises ChannelNotFoundError", True)
cancelled = receipts.cancel_cash_receipt_by_payment_id(payment_id=receipt_id)
check("cancel_cash_receipt_by_payment_id", cancelled.cancelled_amount == 15000 and cancelled.cancelled_at, repr(cancelled))
check(
    "a cancelled receipt is a CancelledCashReceipt",
    isinstance(receipts.get_cash_receipt_by_payment_id(payment_id=receipt_id), CancelledCashReceipt),
)
try:
    receipts.cancel_cash_receipt_by_payment_id(payment_id=receipt_id)
    check("cancelling twice raises", False)
except errors.CashReceiptNotIssuedError:
    check("cancelling twice raises CashReceiptNotIssuedError", True)
try:
    receipts.get_cash_receipt_by_payment_id(payment_id=pid("receipt"))
    check("a missing receipt raises", False)
except errors.CashReceiptNotFoundError:
    check("a missing receipt raises CashReceiptNotFoundError", True)

print(f"{passed} passed, 0 failed")
