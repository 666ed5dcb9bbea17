"""Incidents: types, the life cycle from call to close, notes and response-time figures."""
