"""Placeholder package for the api stage; filled by later issues."""
