"""Running many simulations at once: parameter sweeps on Ray (the optional `distributed` extra)."""
