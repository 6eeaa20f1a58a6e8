-- Wake-word enrolment: a member's recorded "Atom"s, and the detector's last layer adapted to them.
-- Private to the member (erased with them); the audio never leaves the box.
CREATE TABLE voice_wake_samples (
    id         VARCHAR PRIMARY KEY,
    user_id    VARCHAR NOT NULL,
    audio      BLOB NOT NULL,       -- 16 kHz mono 16-bit PCM, at most 3 s
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX voice_wake_samples_user ON voice_wake_samples (user_id);
CREATE TABLE voice_wake_enrolments (
    user_id          VARCHAR PRIMARY KEY,
    state            VARCHAR NOT NULL,  -- training | trained | failed
    samples          INTEGER NOT NULL,  -- how many samples it was trained on
    head             BLOB,              -- the adapted last layer: 64 weights and a bias, float32
    threshold        DOUBLE,
    before_detected  INTEGER,
    after_detected   INTEGER,
    before_score     DOUBLE,            -- mean over the samples of the highest score in each
    after_score      DOUBLE,
    detail           VARCHAR,
    updated_at       TIMESTAMP NOT NULL
);
