-- paymux gateway schema, version 16: where each billing key was issued from (PortOne
-- `PaymentClientType`, `GET /billing-keys` filter.platformType), and the channel filters of
-- that list (pgProviders, pgCompanies) answered from an index.
--
-- `API` for keys issued by `POST /billing-keys`; `SDK_PC` or `SDK_MOBILE` for keys issued
-- through a browser window, by the user agent of the request that completed the window. A
-- window key is written `ISSUING` without it (NULL) and gets it when the window completes.
ALTER TABLE billing_keys ADD COLUMN platform_type TEXT;

-- Keys issued before this version: a key with a checkout session (ISSUE_BILLING_KEY or
-- ISSUE_BILLING_KEY_AND_PAY window) came through the browser; which browser was not kept, and
-- `SDK_PC` is what a window without a mobile user agent counts as. Every other key came
-- through the API.
UPDATE billing_keys SET platform_type = CASE
    WHEN EXISTS (SELECT 1 FROM checkout_sessions s WHERE s.billing_key = billing_keys.billing_key)
    THEN 'SDK_PC' ELSE 'API' END;

-- A channel filter selects the keys issued on some channels: found by channel, not by reading
-- every key's channels.
CREATE INDEX billing_key_channels_channel ON billing_key_channels (channel_key, billing_key);
