"""Internals of the demo value simulator; the public API is ``govpulse.demo.simulate``.

- ``places``: org units as arrays (kinds, district and sub-district of each unit, census drivers such as population)
- ``calendar``: the periods of each period type in the simulated window, with their seasonal weights
- ``recipes``: what the catalogue says about how each data element should be drawn (pairs, drivers, levels)
- ``draws``: the vectorised draws of one family of data elements over a slice of periods
- ``anomalies``: the few imperfections injected on purpose, and the notes that list them
"""
