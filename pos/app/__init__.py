"""The Textual front end: the app, the checkout screen, the modals and the widgets."""

from pos.app.app import PosApp, build_app, register_app, run_register

__all__ = ["PosApp", "build_app", "register_app", "run_register"]
