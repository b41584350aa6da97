-- Rejects are listed a page at a time by dataset and batch in file order.
CREATE INDEX rejects_by_batch ON rejects (dataset, batch_id, line);
