"""Text blocks: prose files (profiles, bullets, コラム) → paragraphs and bullet lists."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Spacer

from ..formatting import format_as_of
from ..typeset import Bullet, JText, runs_from_text
from . import block
from .common import heading


def bullet_list(ctx: Any, items: list[str], mark: str = "・", kind: str = "body") -> list[Flowable]:
    style = ctx.text_style(kind, space_after=3)
    indent = style.size * 1.2
    return [Bullet(mark, JText(runs_from_text(item), style, ctx.fonts), indent) for item in items]


@block("bullets", {"text", "mark"})
def bullets(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    items = ctx.text(spec["text"])
    if isinstance(items, str):
        items = [items]
    if not items:
        return None
    out: list[Flowable] = [heading(ctx, spec["heading"])] if spec.get("heading") else []
    out += bullet_list(ctx, items, spec.get("mark", "・"))
    out.append(Spacer(1, ctx.style["text"]["block_gap"]))
    return out


@block("paragraph", {"text", "kind"})
def paragraph(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    value = ctx.text(spec["text"])
    if not value:
        return None
    paragraphs = value if isinstance(value, list) else [value]
    style = ctx.text_style(spec.get("kind", "body"), space_after=4)
    out: list[Flowable] = [heading(ctx, spec["heading"])] if spec.get("heading") else []
    out += [JText(runs_from_text(p), style, ctx.fonts) for p in paragraphs]
    return out


@block("profile", set())
def profile(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    """Head of state, economy and main industries of the target country."""
    data = ctx.text("profiles/{target}")
    if not data:
        return None
    out: list[Flowable] = []
    leader = f"{data['head_of_state']}{data.get('head_of_state_title', '')}"
    out.append(heading(ctx, f"元首：{leader}"))
    out += bullet_list(ctx, data.get("head_of_state_notes", []))
    if data.get("economy"):
        out.append(heading(ctx, "経済概況"))
        out += bullet_list(ctx, data["economy"])
    if data.get("industries"):
        out.append(heading(ctx, "主要産業"))
        out += bullet_list(ctx, ["、".join(data["industries"])])
    publication = ctx.data.publications.get(data.get("publication", ""))
    if publication:
        out.append(
            JText(
                f"出所：{publication.publisher}「{publication.title}」"
                f"（{format_as_of(publication.published)}）",
                ctx.text_style("note"),
                ctx.fonts,
            )
        )
    out.append(Spacer(1, ctx.style["text"]["block_gap"]))
    return out


def _concerns(ctx: Any, targets: list[str]) -> bool:
    """A column about a place is shown in its packs and in its region's packs."""
    code = ctx.target.code
    return not targets or code in targets or bool(set(ctx.data.members(code)) & set(targets))


@block("column", {"text"})
def column(spec: dict[str, Any], ctx: Any) -> list[Flowable] | None:
    """A コラム: title and paragraphs (hand-written prose the data cannot say)."""
    data = ctx.text(spec["text"])
    if not data or not _concerns(ctx, data.get("targets", [])):
        return None
    out: list[Flowable] = [heading(ctx, f"コラム　{data['title']}")]
    out += bullet_list(ctx, data.get("paragraphs", []))
    out.append(Spacer(1, ctx.style["text"]["block_gap"]))
    return out
