"""Writing the event log: Parquet tables, manifests, atomic files."""
