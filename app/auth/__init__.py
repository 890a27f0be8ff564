"""Accounts: register, log in and out, set or reset a password (views in routes.py)."""
