"""The per-user font cache: a face read back from it is the face the font file gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpack import fonts


@pytest.mark.parametrize("name", ["BIZUDGothic-Regular.ttf", "BIZUDPGothic-Bold.ttf"])
def test_a_face_read_from_the_cache_is_the_parsed_face(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("BRIEFPACK_CACHE", str(tmp_path))
    path = fonts.FONT_DIR / name
    parsed = fonts._parsed_face(path)  # parsed from the file, and written to the cache
    assert len(list(tmp_path.glob("*.pickle"))) == 1
    from reportlab.pdfbase import ttfonts

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("the font was parsed again instead of read from the cache")

    monkeypatch.setattr(ttfonts.TTFontFace, "__init__", no_parsing)
    cached = fonts._parsed_face(path)
    assert cached is not parsed
    kept = {k for k in vars(parsed) if k != "_pdfScale"}
    assert kept == {k for k in vars(cached) if k != "_pdfScale"}
    for table in sorted(kept):
        assert getattr(cached, table) == getattr(parsed, table), table
    assert cached._pdfScale(500) == parsed._pdfScale(500)
