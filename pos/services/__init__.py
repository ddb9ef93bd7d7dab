"""The domain: plain classes and data functions; never imports Textual."""
