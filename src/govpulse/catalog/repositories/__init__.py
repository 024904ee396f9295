"""Repositories: one per aggregate. Every read takes a ``Scope``."""
