"""Text shown to users: user strings made inert before they reach Markdown.

One escaper for the whole app (pages show column names, class labels, file names and
messages quoting them through it). Kept in core, not in the pages, so reports built outside
Streamlit can use the same rule.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["escape_markdown"]

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")
_AUTOLINK_TRIGGERS = re.compile(r"(?i)https?|ftp|mailto|www|@")


def escape_markdown(text: Any) -> str:
    """``text`` as a string that Streamlit's Markdown shows literally.

    User strings (column names, class labels, file names, messages quoting them) go through
    this before any ``st.markdown``/``st.caption``/``st.error``: a column named
    ``[click](http://x)`` or ``<b>`` must appear as typed, never as a link or markup.
    """
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
    # Backslashes do not stop GitHub-style autolinks ("http://…", "www.…", "a@b.c"): a word
    # joiner (zero width, invisible) inside the trigger does, and the text still reads the same.
    return _AUTOLINK_TRIGGERS.sub(lambda m: m.group(0)[0] + "\u2060" + m.group(0)[1:], escaped)
