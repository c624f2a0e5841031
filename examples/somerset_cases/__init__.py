"""A Somerset case-management service (TAM practice note and case transfer policy).

Not part of the stepcheck package: an independent system for `stepcheck test` to test,
beside `examples/casework`; see examples/README.md.
"""
