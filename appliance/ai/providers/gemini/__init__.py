"""Google's Gemini models, through the Gemini API (generativelanguage.googleapis.com)."""
