"""analytics layer (see DESIGN.md)."""
