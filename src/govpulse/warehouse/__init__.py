"""warehouse layer (see DESIGN.md)."""
