"""Importers of real platform exports into the run-folder tables."""
