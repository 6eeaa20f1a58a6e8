-- Failed sign-ins, so a lock-out survives a restart (appliance/accounts/throttle.py).
-- One row per failure; rows older than the throttle's window are deleted as new ones arrive.
CREATE TABLE login_failures (
    username     VARCHAR NOT NULL,   -- the name tried, canonical form; it may name nobody
    address      VARCHAR NOT NULL,   -- the client's address
    failed_at    TIMESTAMP NOT NULL,
    name_cleared BOOLEAN NOT NULL DEFAULT false  -- a later success for this name and address
);
