"""The builder: Graph, Operation, Tensor, naming and scopes, variables, import, FileWriter."""
__all__: list[str] = []
