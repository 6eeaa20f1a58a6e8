"""The local AI provider: chat models installed on this box, run by llama.cpp."""
