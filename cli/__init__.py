"""graphdef's command line: a thin click layer over the graphdef library."""
