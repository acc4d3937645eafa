"""The benchmark of issue 7 (`make bench`); see bench/run.py."""
