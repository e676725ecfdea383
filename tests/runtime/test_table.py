"""Terminal tables: Arabic kept in logical order, widths as drawn."""

from __future__ import annotations

from marsad.runtime.table import display_width, fit, render


def test_harakat_take_no_column():
    assert display_width("ضَبْطُ") == 3 and display_width("abc") == 3 and display_width("中文") == 4


def test_arabic_is_never_reversed_or_reshaped():
    title = "ضبط شحنة كبتاغون في البوكمال"
    out = render(["day", "n", "title"], [["2024-02-01", 3, title], ["2024-02-02", 12, "x"]])
    assert title in out  # logical order, the same code points
    lines = out.splitlines()
    assert lines[1].startswith("2024-02-01   3  ") and lines[2].startswith("2024-02-02  12  ")


def test_long_cells_are_cut_with_an_ellipsis():
    assert fit("كلمة " * 30, 10).endswith("…") and display_width(fit("كلمة " * 30, 10)) == 10
