"""Boundaries of org units: the GeoJSON maps shipped with govpulse (``geo/data``, see ATTRIBUTION.md there), and
which feature is the shape of which org unit. Used by the pages' maps and by the demo's tree builder; depends on
nothing of ours but ``core``."""
