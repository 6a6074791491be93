"""Text blocks: prose files (profiles, bullets, paragraphs, コラム) → headings, text and lists."""

from __future__ import annotations

from typing import Any

from ...formatting import format_as_of
from ..model import Block, Box, Bullets, Gap, Heading, Paragraph
from . import Context, block


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return []


@block("bullets", {"text", "mark"})
def bullets(spec: dict[str, Any], ctx: Context) -> Block | None:
    items = _items(ctx.reads.text(spec["text"], ctx.target.code))
    if not items:
        return None
    out: list = [Heading(spec["heading"])] if spec.get("heading") else []
    out += [Bullets(tuple(items), spec.get("mark", "・")), Gap(9)]
    return Block("bullets", tuple(out))


@block("paragraph", {"text", "kind"})
def paragraph(spec: dict[str, Any], ctx: Context) -> Block | None:
    items = _items(ctx.reads.text(spec["text"], ctx.target.code))
    if not items:
        return None
    out: list = [Heading(spec["heading"])] if spec.get("heading") else []
    out += [Paragraph(p, spec.get("kind", "body")) for p in items]
    return Block("paragraph", tuple(out))


@block("profile", set())
def profile(spec: dict[str, Any], ctx: Context) -> Block | None:
    """Head of state, economy and main industries of the target country."""
    data = ctx.reads.text("profiles/{target}", ctx.target.code)
    if not data:
        return None
    out: list = []
    leader = f"{data['head_of_state']}{data.get('head_of_state_title', '')}"
    out.append(Heading(f"元首：{leader}"))
    if data.get("head_of_state_notes"):
        out.append(Bullets(tuple(_items(data["head_of_state_notes"]))))
    if data.get("economy"):
        out += [Heading("経済概況"), Bullets(tuple(_items(data["economy"])))]
    if data.get("industries"):
        out += [Heading("主要産業"), Bullets(("、".join(_items(data["industries"])),))]
    publication = ctx.reads.data.publications.get(data.get("publication", ""))
    if publication:
        out.append(
            Paragraph(
                f"出所：{publication.publisher}「{publication.title}」"
                f"（{format_as_of(publication.published)}）",
                "note",
            )
        )
    out.append(Gap(9))
    return Block("profile", tuple(out))


def _concerns(ctx: Context, targets: list[str]) -> bool:
    """A column about a place is shown in its packs and in its region's packs."""
    code = ctx.target.code
    return not targets or code in targets or bool(set(ctx.reads.members(code)) & set(targets))


@block("column", {"text"})
def column(spec: dict[str, Any], ctx: Context) -> Block | None:
    """A コラム: title and paragraphs (hand-written prose the data cannot say), boxed."""
    data = ctx.reads.text(spec["text"], ctx.target.code)
    if not data or not _concerns(ctx, data.get("targets", [])):
        return None
    out = [Box(str(data["title"]), tuple(_items(data.get("paragraphs", [])))), Gap(9)]
    return Block("column", tuple(out))
