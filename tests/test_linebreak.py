"""The JLReq line breaker: rules checked on the seeds' sentences and on generated text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from briefpack.linebreak import (
    NOT_AT_LINE_END,
    NOT_AT_LINE_START,
    Run,
    break_lines,
)


def measure(ch: str, font: str) -> float:
    """Full-width characters 10 units, half-width 5 (as in BIZ UD Gothic)."""
    return 5.0 if ord(ch) < 0x2000 else 10.0


def lines_of(text: str, width: float) -> list[str]:
    return [line.text for line in break_lines([Run(text)], width, measure)]


SEED_SENTENCE = (
    "2024年のドル建て名目GDP額はカザフスタンが最も多く、次いでウズベキスタン、"
    "トルクメニスタン、キルギス、タジキスタンの順となる。「国際幹線道路改修計画」"
    "（119.15億円）は2015年に交換公文に署名した。JICA事務所開設。"
)


def test_text_is_kept_in_order() -> None:
    for width in (60, 97, 133, 200, 415):
        assert "".join(lines_of(SEED_SENTENCE, width)) == SEED_SENTENCE


def test_numbers_with_units_and_latin_words_are_never_split() -> None:
    for width in range(80, 300, 3):
        lines = lines_of(SEED_SENTENCE, width)
        for token in ("119.15億円", "2024年", "2015年", "JICA", "GDP"):
            assert any(token in line for line in lines), (width, token, lines)


def test_line_start_and_end_rules_on_seed_text() -> None:
    for width in range(80, 300, 1):
        lines = lines_of(SEED_SENTENCE, width)
        for line in lines[1:]:
            assert line[0] not in NOT_AT_LINE_START, (width, lines)
        for line in lines[:-1]:
            assert line[-1] not in NOT_AT_LINE_END, (width, lines)


def test_small_kana_and_prolonged_mark_do_not_start_a_line() -> None:
    text = "ビシュケク・オシュ道路改修事業のフェーズ3をキルギス全土へ拡大する"
    for width in range(30, 200):
        for line in lines_of(text, width)[1:]:
            assert line[0] not in "ュェーャッ・", (width, line)


def test_token_wider_than_the_line_is_broken_inside() -> None:
    url = "https://www.jetro.go.jp/form5/pub/ora2/20250035"
    lines = break_lines([Run(url)], 60, measure)
    assert "".join(line.text for line in lines) == url
    assert all(line.width <= 60 for line in lines)
    assert lines[0].forced


def test_justified_lines_fill_the_measure() -> None:
    lines = break_lines([Run(SEED_SENTENCE)], 200, measure)
    for line in lines[:-1]:
        last = line.pieces[-1]
        end = (
            last.x
            + sum(measure(c, "regular") for c in last.text)
            + last.char_space * (len(last.text) - 1)
        )
        assert abs(end - 200) < 0.5 or line.width <= 200


def test_explicit_newline_forces_a_break() -> None:
    assert lines_of("一行目\n二行目", 500) == ["一行目", "二行目"]


def test_consecutive_punctuation_is_set_half_width() -> None:
    lines = break_lines([Run("「ストーリー」。")], 500, measure)
    # 」 and 。 meet: the closing bracket's blank half goes (80 → 75 units).
    assert lines[0].width == 75


ALPHABET = (
    "あいうえおかきくけこアイウエオカキクケコ日本貿易中央経済漢字"
    "、。，．・：；？！ー々ぁっゃュョ（）「」『』【】〔〕"
    "ABCDEFGabc0123456789.,%△ -/"
)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=ALPHABET, min_size=0, max_size=200), st.integers(min_value=20, max_value=400)
)
def test_generated_text_obeys_jlreq(text: str, width: int) -> None:
    lines = break_lines([Run(text)], width, measure)
    joined = "".join(line.text for line in lines)
    # Only spaces may vanish (at line ends); nothing else is lost or reordered.
    assert joined.replace(" ", "") == text.replace(" ", "")
    for i, line in enumerate(lines):
        assert line.width <= width + 1e-6 or len(line.text) == 1
        if line.forced:
            continue  # the last resort: an unbreakable run wider than the line
        if i > 0 and line.text and not lines[i - 1].forced:
            assert line.text[0] not in NOT_AT_LINE_START, (text, width, [x.text for x in lines])
        if i < len(lines) - 1 and line.text and not lines[i + 1].forced:
            assert line.text[-1] not in NOT_AT_LINE_END, (text, width, [x.text for x in lines])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(
                r"[0-9]{1,3}(,[0-9]{3}){0,2}(\.[0-9]{1,2})?(億円|年|万人|%)?", fullmatch=True
            ),
            st.sampled_from(["日本", "キルギス", "の", "、", "。", "JICA", "（", "）"]),
        ),
        max_size=40,
    ),
    st.integers(min_value=80, max_value=400),
)
def test_generated_numbers_are_never_split(parts: list[str], width: int) -> None:
    text = "の".join(parts)
    lines = break_lines([Run(text)], width, measure)
    numbers = re.findall(r"[0-9][0-9,.]*[0-9](?:億円|年|万人|%)?|[0-9](?:億円|年|万人|%)?", text)
    for number in numbers:
        if len(number) * 10 > width:
            continue
        assert any(number in line.text for line in lines if not line.forced), (text, number)
