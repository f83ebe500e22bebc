"""The interpreter: Session semantics over GraphDefs and builder graphs, compiled
execution plans (``plan.py``) and numpy kernels in a registry (``kernels/``)."""
from graphdef.runtime.session import InteractiveSession, Session, get_default_session, run_graph

__all__ = ["Session", "InteractiveSession", "get_default_session", "run_graph"]
