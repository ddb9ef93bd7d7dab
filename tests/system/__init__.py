"""The whole project: packaging, code quality, translations, benchmark, shape."""
