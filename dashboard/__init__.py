"""The autotrade dashboard: one HTML page over the published snapshot, standard library only.

    uv run python -m dashboard [--port 8050] [--publish DIR]

It reads ``<publish>/autotrade.duckdb`` (``--publish``, else ``$AUTOTRADE_PUBLISH``, else
``data/published``) and never the working warehouse: the pipeline is its single writer, and BI
reads the published copy. Every request opens a fresh read-only connection and closes it, so
a publish (an atomic file swap) shows on the next request.

Modules: ``app`` (HTTP server and command line), ``snapshot`` (the reads, with the SQL in
``queries.sql``), ``render`` (HTML), ``charts`` (inline SVG).
"""
