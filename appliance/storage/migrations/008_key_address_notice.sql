-- When an admin points a household key at another server, every member who uses the key is told:
-- the key keeps when its address last changed, and the AI settings page shows it to everyone.
ALTER TABLE provider_keys ADD COLUMN address_changed_at TIMESTAMP;
