"""TF1 op functions by family (math, array, nn), emitting nodes as TensorFlow does."""
__all__: list[str] = []
