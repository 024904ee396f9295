"""DHIS2 interoperability, server side: DHIS2 clients and tools talk to govpulse as they would to DHIS2.

``metadata`` imports metadata payloads into our catalogue, ``datavaluesets`` runs data value sets through our
ingest pipeline (``datavalues_export`` gives them back), ``analytics`` answers analytics queries from our
warehouse; ``ids`` links DHIS2 UIDs and codes to our codes, ``periods`` knows DHIS2's relative periods, and
``reports`` writes DHIS2's import summaries and reports. The routes are in ``web/api/routes/dhis2.py``.
The reader of a DHIS2 server (a connector) is ``ingest/connectors/dhis2.py``.
"""
