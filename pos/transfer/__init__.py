"""File formats: the README's CSV and JSON-lines imports and exports."""
