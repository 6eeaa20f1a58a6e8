"""Anthropic's Claude models, through the Messages API."""
