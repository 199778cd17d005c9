"""Sources: the Source protocol, the built-in connectors and their checkpoints."""
