"""The register facade the front end talks to: the register, its parts, its read models."""
