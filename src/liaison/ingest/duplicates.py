"""Near-duplicate fingerprints: MinHash over word shingles, banded for locality-sensitive hashing.

Exact copies already share a report ID (the normalised text's hash). Syndicated copies of an agency
statement differ by a headline, a sentence or a few words; their sets of three-word shingles still
overlap by well over half, while two outlets' own articles on the same event share far less. The
signature's bands let the store find candidates by equality on a few short keys, without comparing a
new report with every stored one.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from datasketch import MinHash

from liaison.domain import Fingerprint, normalise_name

PERMUTATIONS = 128
BANDS = 32
ROWS_PER_BAND = PERMUTATIONS // BANDS
SHINGLE_WORDS = 3
# Fixed so that fingerprints computed by any process or release agree.
MINHASH_SEED = 20221
# Estimated Jaccard similarity from which a report counts as a copy of an earlier one. Measured on the
# demo corpus (several outlets on the same operations, English and French): different articles on one
# event score at most 0.04; copies with a new headline, a sentence dropped, one added and five words
# edited score 0.62 to 0.88.
NEAR_DUPLICATE_SIMILARITY = 0.5
# Shorter texts have too few shingles for the estimate to mean anything.
MIN_WORDS = 30

_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(normalise_name(text))
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(words) - 2)}


def fingerprint(text: str) -> Fingerprint | None:
    """The text's fingerprint, or None when it is too short to compare meaningfully."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    minhash = MinHash(num_perm=PERMUTATIONS, seed=MINHASH_SEED)
    minhash.update_batch(sorted(shingles(text)))
    values = np.asarray(minhash.hashvalues, dtype="<u8")
    bands = tuple(
        hashlib.blake2b(
            values[i * ROWS_PER_BAND : (i + 1) * ROWS_PER_BAND].tobytes(), digest_size=8
        ).hexdigest()
        for i in range(BANDS)
    )
    return Fingerprint(tuple(int(v) for v in values), bands)
