#!/usr/bin/env python3
"""Read a pack's structure tree back, as a screen reader gets it, and run the checkers.

Usage:
    python tools/check_tagged.py PACK.pdf [PACK.pdf ...] [--tree] [--page N]

- ``--tree``: print the structure tree in reading order, each element with the text of its
  marked content (read back from the page with pdfium), /Alt, /Scope and /T; ``--page N``
  only what is on page N (1-based).
- Always: a one-line summary per file from each checker that is installed:
  ``pikepdf.pdfa`` (PDF/A-2b; the findings about the XMP extension schema that declares
  ``pdfuaid``, which ISO 19005-2 permits but pikepdf does not yet accept, are counted apart),
  ``pdfua`` (PDF/UA-1, MIT, a test dependency: ``pip install '.[test]'``) and ``outloud``
  (PDF/UA-1 and WCAG 2.2 plus semantic checks; optional: ``pip install outloud``.  It needs
  PyMuPDF, AGPL-licensed and large, so it is not a test dependency).

Exit status 1 if a checker reports an error (outloud's warnings do not count).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's tests/
from tests.tagged_pdf import Node, marked_content, pdfa_findings, structure  # noqa: E402


def print_tree(path: Path, page: int | None) -> None:
    import pikepdf

    texts, artifacts = marked_content(path)
    with pikepdf.open(path) as pdf:
        root = structure(pdf)

        def on_page(node: Node) -> bool:
            return any(k[0] == page - 1 for n in node.walk() for k in n.mcids())

        def show(node: Node, depth: int) -> None:
            if page is not None and not on_page(node):
                return
            details = []
            for key in ("/T", "/Alt"):
                if key in node.obj:
                    details.append(f"{key[1:]}={str(node.obj[key])!r}")
            attrs = node.obj.get("/A")
            if attrs is not None and "/Scope" in attrs:
                details.append(f"Scope={str(attrs.Scope)[1:]}")
            own = "".join(texts.get(k, "") for k in node.mcids())
            if any(k[0] == "annot" for k in node.kids if isinstance(k, tuple)):
                details.append("+link annotation")
            line = "  " * depth + node.role
            if own:
                line += f" 「{own[:60]}{'…' if len(own) > 60 else ''}」"
            if details:
                line += "  " + " ".join(details)
            print(line)
            for kid in node.kids:
                if isinstance(kid, Node):
                    show(kid, depth + 1)

        for kid in root.kids:
            show(kid, 0)
    if page is not None:
        print(f"artifacts on page {page}: {artifacts.get(page - 1, [])}")


def check(path: Path) -> bool:
    """Print each installed checker's summary; False if one reports an error."""
    ok = True
    try:
        from pikepdf.pdfa import validate_written
    except ImportError:
        print(f"{path}: pikepdf.pdfa not installed")
    else:
        findings = [str(f) for f in validate_written(path, "2b").findings]
        other = pdfa_findings(path)
        print(
            f"{path}: PDF/A-2b (pikepdf): {len(other)} finding(s)"
            f" + {len(findings) - len(other)} about the pdfuaid extension schema"
        )
        for finding in other:
            print(f"  {finding}")
        ok = ok and not other
    try:
        from pdfua import validate  # noqa: F401
    except ImportError:
        print(f"{path}: pdfua not installed")
    else:
        ok = _pdfua(path) and ok
    try:
        from outloud import check as outloud_check
    except ImportError:
        print(f"{path}: outloud not installed (optional: pip install outloud)")
    else:
        result = outloud_check(str(path))
        print(
            f"{path}: outloud: {result.verdict}, {result.errors} error(s),"
            f" {result.warnings} warning(s)"
        )
        for f in result.sorted_findings():
            if f.severity in ("error", "warning"):
                print(f"  {f.severity} {f.rule} p.{f.page}: {f.message}")
        ok = ok and result.errors == 0
    return ok


def _pdfua(path: Path) -> bool:
    from pdfua import Severity, validate

    report = validate(str(path))
    findings = report.findings
    errors = [f for f in findings if f.severity == Severity.ERROR]
    print(f"{path}: PDF/UA-1 (pdfua): {len(findings)} finding(s), {len(errors)} error(s)")
    for f in findings:
        print(f"  {f.severity.name} {f.rule_id} {f.location.describe()}: {f.message}")
    return not errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="+", type=Path)
    parser.add_argument("--tree", action="store_true")
    parser.add_argument("--page", type=int)
    args = parser.parse_args()
    ok = True
    for path in args.pdf:
        if args.tree or args.page:
            print_tree(path, args.page)
        ok = check(path) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
