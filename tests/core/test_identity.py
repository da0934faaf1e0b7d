"""core.identity: one digest of content, stable across objects and calls, sensitive to every part."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from core.identity import content_digest


def test_equal_content_gives_the_same_digest_whatever_the_object():
    a = np.arange(10, dtype=np.int64)
    assert content_digest(b"csv bytes", a, "x", None) == content_digest(bytes(b"csv bytes"), a.copy(), "x", None)
    assert content_digest(np.asfortranarray(np.eye(3))) == content_digest(np.eye(3))


def test_kinds_dtypes_shapes_and_boundaries_all_count():
    digests = {
        content_digest("1"), content_digest(1), content_digest(True), content_digest(None), content_digest("None"),
        content_digest(b"1"), content_digest(np.array([1], dtype=np.int64)), content_digest(np.array([1.0])),
        content_digest(np.array([[1.0]])), content_digest(["1"]), content_digest("ab", "c"), content_digest("a", "bc"),
    }
    assert len(digests) == 12


def test_size_sets_the_length():
    assert len(content_digest("x")) == 32 and len(content_digest("x", size=8)) == 16


@given(st.lists(st.one_of(st.text(), st.binary(), st.integers(), st.none()), max_size=5),
       st.lists(st.one_of(st.text(), st.binary(), st.integers(), st.none()), max_size=5))
def test_different_part_lists_get_different_digests(a, b):
    if a != b or [type(x) for x in a] != [type(x) for x in b]:
        assert content_digest(*a) != content_digest(*b)
    else:
        assert content_digest(*a) == content_digest(*b)
