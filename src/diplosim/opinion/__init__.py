"""Behaviour after a view and persuasion after a completed view."""
