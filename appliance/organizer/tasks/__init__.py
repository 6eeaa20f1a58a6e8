"""Tasks: who does what by when, ranked by what matters most now."""
