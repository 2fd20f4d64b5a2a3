"""The `kg` command line: thin commands over the library (see `kg --help`)."""
