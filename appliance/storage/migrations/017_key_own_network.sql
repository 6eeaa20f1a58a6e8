-- An admin may say a household key's OpenAI-compatible server is on the household's own network
-- (Ollama on another box of theirs): then it hears the household note, as the model on this box does.
ALTER TABLE provider_keys ADD COLUMN on_own_network BOOLEAN DEFAULT FALSE;
