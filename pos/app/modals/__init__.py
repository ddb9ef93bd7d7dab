"""One modal per module; the modals' base classes and the help."""
