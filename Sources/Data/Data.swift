// Data module: see docs/architecture.md.
