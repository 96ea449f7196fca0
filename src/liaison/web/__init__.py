"""Placeholder package for the web stage; filled by later issues."""
