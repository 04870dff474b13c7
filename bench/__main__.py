"""`python -m bench` runs the side-by-side benchmark (bench/run.py) and writes bench/results.md."""

from .run import main

main()
