"""User accounts: login, users, memberships and machine API keys."""
