"""The organisation hierarchy over HTTP (the tables live in core.org)."""
