"""Liaison: collect, understand, connect and share security reporting."""
