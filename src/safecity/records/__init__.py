"""Digitised criminal records: persons, FIRs, arrests, court cases, property; import and search."""
