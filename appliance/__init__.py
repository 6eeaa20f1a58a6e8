"""Atom: the household AI appliance."""
