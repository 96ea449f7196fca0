"""Placeholder package for the share stage; filled by later issues."""
