"""The PDF kit: a short count column beside many money columns keeps room for its
header's words (it came out one character wide in the government report)."""

from __future__ import annotations

from luodi.pdf import PAGE_TEXT_WIDTH, _word_floor, column_widths

MONEY = ["承诺投资（万元）", "累计到资（万元）", "本期产值（万元）", "本期税收（万元）"]


def test_a_count_column_keeps_its_header_word() -> None:
    headers = ["园区", "已落地", "已投产", *MONEY, "亩均产值（万元）", "兑现金额（万元）"]
    rows = [["成都天府国际生物城", 2, 0, 12500, 11375, 780, 46.8, 157.58, 0]]
    widths = column_widths(headers, rows)
    assert abs(sum(widths) - PAGE_TEXT_WIDTH) < 0.01
    assert widths[1] >= _word_floor("已落地") and widths[2] >= _word_floor("已投产")


def test_english_headers_that_cannot_all_fit_share_the_page_by_their_words() -> None:
    headers = ["Park", "Landed", "In production", "Investment promised (10k CNY)"] * 3
    widths = column_widths(headers, [[1] * len(headers)])
    assert abs(sum(widths) - PAGE_TEXT_WIDTH) < 0.01
    assert widths[2] > widths[1] > widths[0] * 0.9  # "production" gets more than "Landed"


def test_text_with_markup_characters_is_printed_as_text() -> None:
    """reportlab reads a paragraph as XML: a project named "A<B & C" failed the report."""
    from luodi.insights.reports import register_font
    from luodi.pdf import Kit

    kit = Kit(register_font())
    pdf = kit.build([kit.text("靶向 A<B & C"), kit.table(["名称"], [["<i>未闭合"]])], "t")
    assert pdf.startswith(b"%PDF")


def _lines(paragraph: object, width: float) -> list[str]:
    paragraph.wrap(width, 1000)  # type: ignore[attr-defined]
    lines = paragraph.blPara.lines  # type: ignore[attr-defined]
    # reportlab keeps a line as (width, words) for plain text, or as an object with .words
    return [
        " ".join(getattr(line, "words", None) or line[1])
        if not hasattr(line, "words") or isinstance(line.words[0], str)
        else "".join(getattr(w, "text", "") for w in line.words)
        for line in lines
    ]


def test_english_wraps_between_words_and_chinese_between_characters() -> None:
    """A long English park name in a narrow column broke mid-word ("Internatio" / "nal")."""
    from luodi.insights.reports import register_font
    from luodi.pdf import Kit

    kit = Kit(register_font())
    name = "Tianfu International Bio-Town"
    lines = _lines(kit.text(name), 80)
    assert len(lines) > 1
    assert all(part in name.split() for line in lines for part in line.split())
    chinese = _lines(kit.text("成都天府国际生物城产业园区管理委员会"), 60)
    assert len(chinese) > 1  # Chinese still breaks between characters
