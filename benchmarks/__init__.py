"""graphdef's benchmark suite (``python -m benchmarks``); see ``benchmarks/run.py``.

One module per area: ``bench_build`` (graph building), ``bench_runtime``
(Session.run, shared models), ``bench_io`` (pb/pbtxt read and write), ``bench_tools``
(show/diff/dedupe with peak memory). ``harness`` measures and formats; ``inputs``
generates the graphs; ``tf_reference`` holds TensorFlow (measured or quoted).
"""
