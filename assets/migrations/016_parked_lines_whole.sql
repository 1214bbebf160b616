-- 016: a parked sale comes back exactly as it was set aside: parked lines keep the deposit
-- link, a label's fixed quantity, the age check and the expiry like the open sale's lines
-- (src/cart_rows.c), and the sale keeps the customer's proven age.
ALTER TABLE parked_lines ADD COLUMN deposit_sku TEXT;
ALTER TABLE parked_lines ADD COLUMN qty_from_label INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parked_lines ADD COLUMN age_check TEXT;
ALTER TABLE parked_lines ADD COLUMN expiry INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parked_lines ADD COLUMN expired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parked_sales ADD COLUMN age_proven INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parked_sales ADD COLUMN age_proven_how TEXT;
