"""Exports of other listening tools (Brandwatch, Talkwalker, Meltwater, Sprinklr, Mention) and
personal archives (X, Facebook) read as posts: `reader` turns the file into rows, a preset maps
each tool's columns to the ingest format, `sniff` picks the preset for `--format auto`.
"""
