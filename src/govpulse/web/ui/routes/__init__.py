"""Page routes."""
