"""Placeholder package for the resolve stage; filled by later issues."""
