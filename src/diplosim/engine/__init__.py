"""The engine: plays a scenario hour by hour into an event log."""
