"""The actors' campaigns: what actor, network and challenge accounts post each hour."""
