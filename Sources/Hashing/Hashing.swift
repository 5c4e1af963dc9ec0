// Hashing module: see docs/architecture.md.
