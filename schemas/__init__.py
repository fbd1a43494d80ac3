"""The published JSON Schemas, shipped as package data (engine.data.schemas)."""
