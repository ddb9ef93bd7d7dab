"""Rules and data functions by area: they take a Session, never commit, never import Textual."""
