"""govpulse: an open platform for a government performance-monitoring centre."""
__version__ = "0.1.0"
