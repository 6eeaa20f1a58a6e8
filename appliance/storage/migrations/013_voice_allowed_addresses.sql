-- Addresses an admin lets use Atom's speech over Wyoming without pairing (Home Assistant, say),
-- besides those the operator set in voice.allowed_addresses. Never commands: those need pairing.
CREATE TABLE voice_allowed_addresses (
    id       VARCHAR PRIMARY KEY,
    address  VARCHAR NOT NULL UNIQUE,  -- an address or network, in its normal form (192.168.1.0/24)
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL
);
