"""The built-in rule library and clause catalogue, shipped as package data (engine.data.rules)."""
