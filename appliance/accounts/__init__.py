"""Household accounts: members and roles, sign-ins, API tokens, login throttling."""
