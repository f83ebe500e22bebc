"""The interpreter: Session semantics over GraphDefs, execution plans, numpy kernels."""
__all__: list[str] = []
