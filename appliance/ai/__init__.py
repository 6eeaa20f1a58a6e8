"""Thinking: local models and bring-your-own-key providers, routing, the cost ledger."""
