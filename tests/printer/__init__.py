"""The standalone ESC/POS printer package."""
