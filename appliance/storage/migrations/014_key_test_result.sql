-- Each provider key keeps its last test's verdict, in words, so the AI settings page shows it as a
-- badge ("no internet on this box" is not "key rejected") until the next test; keys are tested on save.
ALTER TABLE provider_keys ADD COLUMN last_test_ok BOOLEAN;
ALTER TABLE provider_keys ADD COLUMN last_test VARCHAR;
ALTER TABLE provider_keys ADD COLUMN last_tested_at TIMESTAMP;
