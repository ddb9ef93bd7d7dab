"""The register facade (RegisterService) and its collaborators."""
