"""Conformance suite: does a Seqera Platform install honour the login contract the CLIs rely on?

Run `pytest conformance` in the repository (or `pytest --pyargs conformance` anywhere the package
is installed), optionally with `--platform-url https://platform.example.com/api`. The case table is
`conformance/catalog.py`; options and the report are in `conformance/plugin.py`.
"""
