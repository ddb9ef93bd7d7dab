"""Pharmacy register: a keyboard-driven point-of-sale client for retail pharmacies."""

__version__ = "0.1.0"
