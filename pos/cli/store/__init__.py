"""Commands that make, back up, restore, check and measure a store database."""
