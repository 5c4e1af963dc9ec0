// Checkpoint module: see docs/architecture.md.
