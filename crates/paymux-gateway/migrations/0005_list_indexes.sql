-- paymux gateway schema, version 5: indexes for GET /payment-schedules (time to pay, creation).
CREATE INDEX payment_schedules_time_to_pay ON payment_schedules (time_to_pay, id);
CREATE INDEX payment_schedules_created ON payment_schedules (created_at, id);
