"""Render: a plan → flowables (text, tables, charts) → the PDF's bytes.

Nothing here reads the data layer: every value comes from the plan, so the plan's digest
(with the style, fonts and code) decides the output.
"""
