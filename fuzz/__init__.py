"""Fuzzing Liaison's parsers: the properties (``fuzz.targets``) and the long runner (``fuzz/run.py``)."""
