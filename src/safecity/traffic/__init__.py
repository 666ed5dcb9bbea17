"""Traffic enforcement: vehicle registry, violations, e-challans, payments, sections and congestion."""
