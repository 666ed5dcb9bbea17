"""safecity — an open-source Safe City platform for provincial police forces."""

__version__ = "0.1.0"
