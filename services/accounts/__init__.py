"""Accounts: passwords and logging in, and the first start of an empty installation."""
