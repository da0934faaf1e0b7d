"""core.identity.content_digest: its byte format is fixed, not just "some digest".

Digests are stored: a saved scenario keeps its evaluation's fingerprint (a content digest) in
the workspace file, and the Report page sets it against the fingerprint of the scores loaded
later. A digest that changed between versions would make every saved scenario look as if it
had been computed on other data. So the encoding each part gets is spelled out here, from the
module docstring's rules (a kind tag, then a length as 8 little-endian bytes, then the bytes),
and the digest must equal BLAKE2b of exactly that.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from core.identity import content_digest


def _length(n: int) -> bytes:
    return n.to_bytes(8, "little")


def _expected(*chunks: bytes, size: int = 16) -> str:
    return hashlib.blake2b(b"".join(chunks), digest_size=size).hexdigest()


def _scalar(kind: str, text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    return b"s" + kind.encode() + b":" + _length(len(data)) + data


def test_bytes_are_tagged_with_their_length():
    assert content_digest(b"abc") == _expected(b"b" + _length(3) + b"abc")
    assert content_digest(bytearray(b"xy"), memoryview(b"z")) == _expected(b"b" + _length(2) + b"xy",
                                                                              b"b" + _length(1) + b"z")


def test_strings_numbers_and_none_are_tagged_with_their_type():
    assert content_digest("héllo") == _expected(_scalar("str", "héllo"))
    assert content_digest(12) == _expected(_scalar("int", "12"))
    assert content_digest(0.5, None, True) == _expected(_scalar("float", "0.5"), _scalar("NoneType", "None"),
                                                        _scalar("bool", "True"))
    # A lone surrogate (a file name decoded with surrogateescape) still digests.
    assert content_digest("\udcff") == _expected(_scalar("str", "\udcff"))


def test_arrays_count_dtype_shape_and_contents():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    head = b"a" + a.dtype.str.encode() + repr((2, 3)).encode()
    assert content_digest(a) == _expected(head + a.tobytes())
    assert content_digest(a.T) == _expected(b"a" + a.dtype.str.encode() + repr((3, 2)).encode()
                                            + np.ascontiguousarray(a.T).tobytes())


def test_object_arrays_digest_their_values_reprs_as_a_list():
    values = np.array(["a", 1, None], dtype=object)
    listed = b"l" + _length(3) + _scalar("str", "'a'") + _scalar("str", "1") + _scalar("str", "None")
    assert content_digest(values) == _expected(b"o" + listed)


def test_lists_and_tuples_are_tagged_with_their_length():
    assert content_digest(["a", ("b", 2)]) == _expected(
        b"l" + _length(2) + _scalar("str", "a") + b"l" + _length(2) + _scalar("str", "b") + _scalar("int", "2")
    )


@pytest.mark.parametrize("size", [8, 16, 32])
def test_size_is_the_digest_size(size):
    assert content_digest("x", size=size) == _expected(_scalar("str", "x"), size=size)
    assert content_digest(size=size) == _expected(size=size)
