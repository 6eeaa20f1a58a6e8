"""Azure OpenAI: Chat Completions on a deployment of the household's Azure resource."""
