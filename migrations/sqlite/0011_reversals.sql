-- A payment registered by mistake is reversed by a second finance officer with a reason: the
-- registration it undoes is kept here (who paid it, on which day), the payment is to pay
-- again, and nothing is deleted.
CREATE TABLE payment_reversals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id  INTEGER NOT NULL REFERENCES payments (id),
    paid_on     TEXT    NOT NULL,
    paid_by     TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    reversed_by TEXT    NOT NULL,
    reversed_at TEXT    NOT NULL
);
CREATE INDEX payment_reversals_payment ON payment_reversals (payment_id);
