"""The checkout screen and its parts: keys, members, safety, overrides, returns, shifts …"""
