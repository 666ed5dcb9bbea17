"""Dispatch: choosing and sending response units."""

from safecity.dispatch.ranking import rank_units

__all__ = ["rank_units"]
