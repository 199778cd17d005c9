"""The core pipeline: plain functions over batches (normalise, dedup, match, enrich, store, rollup).

Runtimes (the embedded runner, later distributed workers) call these; nothing in here knows how it
is scheduled.
"""
