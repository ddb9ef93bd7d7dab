"""The register facade the front end talks to: the register, its collaborators, read models
and the settings turned into its rules (setup.py)."""
