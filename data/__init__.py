"""The demo store: catalogue and stock CSVs, installed as the package ``pos.demo``."""
