-- 005: a terminal sends the cardholder's and the merchant's copy of its receipt apart;
-- receipt keeps the cardholder's copy (it is printed for the customer), this column the
-- merchant's (kept for the shop, never given to the customer).
ALTER TABLE payment_intents ADD COLUMN merchant_receipt TEXT;
