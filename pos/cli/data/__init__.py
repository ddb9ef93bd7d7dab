"""Commands that import and export the README's file formats."""
