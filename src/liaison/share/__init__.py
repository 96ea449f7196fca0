"""The share stage: Liaison's stores as STIX 2.1 bundles under TLP 2.0, and partners' bundles read back.

stix2 and stix2validator types never leave this package: its functions take and return Liaison's domain
records (``liaison.domain.ShareableSet``…) and plain JSON dicts.
"""
