"""GraphDef → report / GraphDef → GraphDef tools: summarize, diff, dedupe."""
__all__: list[str] = []
