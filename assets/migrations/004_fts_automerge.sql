-- 004: the name index merges its segments less eagerly.  A catalog sync writes one page
-- per transaction, and every transaction adds an FTS5 segment; with the default
-- automerge (4) a 1,000,000-product sync spent a third of its time re-merging them.  At
-- 16 the full sync is 30 % faster and a name search still answers in about 1 ms (median),
-- 2.6 ms (p99) on such a catalog (bench/run.sh).
INSERT INTO products_fts(products_fts, rank) VALUES ('automerge', 16);
