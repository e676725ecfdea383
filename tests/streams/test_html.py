"""HTML to text as the feeds ask for it (``tidy=True``): one paragraph per line, spaces collapsed."""

from __future__ import annotations

import pytest

from marsad.streams.clean.html import html_to_text, tidy_lines

CASES = [
    pytest.param("<p>أول فقرة</p><p>ثاني  فقرة</p>", "أول فقرة\nثاني فقرة", id="paragraphs"),
    pytest.param("سطر<br>سطر آخر<br/>", "سطر\nسطر آخر", id="line-breaks"),
    pytest.param("<div>a<script>var x = 1;</script> b</div>", "a b", id="script-dropped-tail-kept"),
    pytest.param("<p>text</p><object>Get the player</object>", "text", id="object-dropped"),
    pytest.param("<p>text</p><nav><a href='/'>Home</a></nav><form><button>Send</button></form>", "text",
                 id="navigation-and-forms-dropped"),
    pytest.param("<table><tr><td>one</td><td>two</td></tr></table>", "one\ntwo", id="table-cells"),
    pytest.param("AT&amp;T &lt;3", "AT&T <3", id="entities"),
    pytest.param("  plain \u00a0 text\u200bhere  ", "plain text here", id="plain-text-tidied"),
    pytest.param("<p>قبل<!-- تعليق -->بعد</p>", "قبلبعد", id="comment"),
    pytest.param("", "", id="empty"),
    pytest.param("   ", "", id="blank"),
    pytest.param(None, "", id="none"),
]


@pytest.mark.parametrize(("fragment", "text"), CASES)
def test_feed_fragments(fragment: str | None, text: str) -> None:
    assert html_to_text(fragment, tidy=True) == text


def test_untidy_text_keeps_its_spaces_for_the_cleaning_stage() -> None:
    untidy = html_to_text("<p>a  b</p>")
    assert "a  b" in untidy.split("\n")
    assert tidy_lines(untidy) == "a b"
