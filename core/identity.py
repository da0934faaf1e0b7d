"""Content identity: one digest for "is this the same data?" everywhere.

An upload's token, the key of a setup's widgets and unfinished runs, and an evaluation's
fingerprint (which a saved scenario records) are all :func:`content_digest` of their parts,
so two equal inputs always get the same id and the id never depends on object identity.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

__all__ = ["content_digest"]

def content_digest(*parts: Any, size: int = 16) -> str:
    """A hex BLAKE2b digest (``size`` bytes) of ``parts``, in order.

    Parts may be bytes (an upload), strings, numbers, None, numpy arrays (dtype, shape and
    contents count) or lists/tuples of those. Different kinds never collide by accident:
    each part is tagged with its kind before its bytes.
    """
    digest = hashlib.blake2b(digest_size=size)
    for part in parts:
        _update(digest, part)
    return digest.hexdigest()


def _update(digest, part: Any) -> None:
    if isinstance(part, (bytes, bytearray, memoryview)):
        digest.update(b"b" + len(part).to_bytes(8, "little"))
        digest.update(part)
    elif isinstance(part, np.ndarray):
        array = np.ascontiguousarray(part)
        if array.dtype == object:
            digest.update(b"o")
            _update(digest, [repr(v) for v in array.ravel()])
        else:
            digest.update(b"a" + array.dtype.str.encode() + repr(array.shape).encode())
            digest.update(array.tobytes())
    elif isinstance(part, (list, tuple)):
        digest.update(b"l" + len(part).to_bytes(8, "little"))
        for item in part:
            _update(digest, item)
    else:  # str, numbers, None, bool: tagged with their type, so 1, "1" and True differ
        kind = type(part).__name__.encode()
        text = (part if isinstance(part, str) else repr(part)).encode("utf-8", "surrogatepass")
        digest.update(b"s" + kind + b":" + len(text).to_bytes(8, "little"))
        digest.update(text)
