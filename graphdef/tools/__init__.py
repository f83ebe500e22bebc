"""GraphDef → report / GraphDef → GraphDef tools: summarize, diff, dedupe.

All three work on GraphDef messages and share one notion of "the same node"
(:mod:`graphdef.tools.canonical`); the CLI commands ``show``, ``diff`` and
``dedupe`` are thin layers over them.
"""
from graphdef.tools.dedupe import DedupeReport, dedupe

__all__: list[str] = ["dedupe", "DedupeReport"]
