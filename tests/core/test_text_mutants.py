"""core.text.escape_markdown, checked in core (the page tests check it through the Data page).

The escaper must make any user string inert in Markdown: every Markdown character gets a
backslash, every autolink trigger (``http``, ``https``, ``ftp``, ``mailto``, ``www``, ``@``, in
any case) is broken by a zero-width word joiner after its first character, and nothing else
changes, so undoing exactly those two things gives the typed text back.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.text import escape_markdown

SPECIALS = set("\\`*_{}[]()#+-.!|~<>$:&")
JOINER = "\u2060"
TRIGGERS = ("https", "http", "ftp", "mailto", "www", "@")


def _undo(escaped: str) -> str:
    """The typed text back from an escaped one, failing on anything the rule does not allow:
    a Markdown character without its backslash, a backslash before anything else."""
    out, i = [], 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\":
            assert i + 1 < len(escaped) and escaped[i + 1] in SPECIALS, f"stray backslash in {escaped!r}"
            out.append(escaped[i + 1])
            i += 2
            continue
        assert ch not in SPECIALS, f"{ch!r} left unescaped in {escaped!r}"
        if ch != JOINER:
            out.append(ch)
        i += 1
    return "".join(out)


@pytest.mark.parametrize("ch", sorted(SPECIALS))
def test_every_markdown_character_gets_one_backslash(ch):
    assert escape_markdown(ch) == "\\" + ch
    assert escape_markdown(f"a{ch}b{ch}") == f"a\\{ch}b\\{ch}"


@pytest.mark.parametrize("word", ["http", "HTTPS", "Ftp", "mailto", "WWW", "wWw"])
def test_autolink_words_in_any_case_get_a_joiner_after_their_first_letter(word):
    assert escape_markdown(word) == word[0] + JOINER + word[1:]
    assert escape_markdown(f"go {word} now") == f"go {word[0]}{JOINER}{word[1:]} now"


def test_an_at_sign_gets_the_joiner_after_it():
    assert escape_markdown("a@b") == "a@" + JOINER + "b"


def test_a_link_and_an_email_are_broken_and_read_the_same():
    escaped = escape_markdown("[x](HTTPS://bank.example) ops@bank.example")
    assert escaped == "\\[x\\]\\(H" + JOINER + "TTPS\\://bank\\.example\\) ops@" + JOINER + "bank\\.example"


def test_plain_text_and_non_strings_come_back_as_typed():
    assert escape_markdown("plain words 42") == "plain words 42"
    assert escape_markdown(42) == "42"
    assert escape_markdown(None) == "None"
    assert escape_markdown(1.5) == "1\\.5"
    assert escape_markdown("") == ""


# No deadline or too-slow check: a loaded machine (a mutation run) must not fail it for time.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_characters=JOINER), max_size=40)
       | st.lists(st.sampled_from(["http", "HTTP", "www", "@", "ftp", "mailto", "\\", "[", "a", " ", ":", "."]),
                  max_size=12).map("".join))
def test_escaping_is_undone_by_dropping_the_backslashes_and_joiners(text):
    escaped = escape_markdown(text)
    assert _undo(escaped) == text
    # No autolink trigger starts a word any more: Markdown links "www." or "http://" only after
    # the start, a space or punctuation; each one left ("wwww" -> "w<joiner>www") follows the
    # joiner or a letter.
    plain = re.sub(r"\\(.)", r"\1", escaped).lower()
    for trigger in TRIGGERS:
        if trigger != "@":
            for hit in re.finditer(trigger, plain):
                before = plain[hit.start() - 1] if hit.start() > 0 else " "
                assert before == JOINER or before.isalnum(), (text, escaped)
    assert plain.count("@") == plain.count("@" + JOINER)
