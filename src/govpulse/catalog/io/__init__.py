"""Catalogue files: the YAML and CSV formats of departments, data elements, indicators and constants."""
