"""OpenAI, through its Chat Completions API."""
