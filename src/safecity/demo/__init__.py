"""The demo installation: south-east Karachi's real police stations, synthetic everything else."""
