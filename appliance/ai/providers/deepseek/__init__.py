"""DeepSeek, whose API is Chat Completions."""
