-- An answer given by a fallback keeps the note saying so ("OpenAI could not answer (…). Answered by
-- Anthropic instead."), so a reloaded chat and the Ask Atom box still show that the AI was swapped.
ALTER TABLE chat_messages ADD COLUMN fallback VARCHAR;
