"""GraphDef → report / GraphDef → GraphDef tools: summarize, diff, dedupe.

All three work on GraphDef messages and share one notion of "the same node"
(:mod:`graphdef.tools.canonical`); the CLI commands ``show``, ``diff`` and
``dedupe`` are thin layers over them.
"""
from graphdef.tools.dedupe import DedupeReport, dedupe
from graphdef.tools.diff import DiffResult, NodeChange, diff
from graphdef.tools.summarize import node_info, scope_tree, show, summarize

__all__: list[str] = ["dedupe", "DedupeReport", "diff", "DiffResult", "NodeChange",
                      "summarize", "show", "scope_tree", "node_info"]
