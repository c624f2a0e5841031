"""The spec layer: model, loader, schema, expressions, calendar and diagnostics.

Everything the checker, the oracle and the diagrams share lives here.
"""
