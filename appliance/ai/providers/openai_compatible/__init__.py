"""Any server that speaks Chat Completions: Ollama, llama.cpp's server, LM Studio, vLLM."""
