"""Kernel registry and one module per op family."""
