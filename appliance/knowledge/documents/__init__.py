"""Uploaded documents: streamed to disk, parsed per format, kept whole, indexed for search."""
