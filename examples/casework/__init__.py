"""A small case-management service for Devon's step-down and step-up protocol.

Hand-written from the protocol, as a developer would write it: its own data model
and transition tables, and no stepcheck code in the logic (`service.py`). `app.py`
adapts it to stepcheck's `System` protocol; `server.py` serves it over HTTP.
"""
