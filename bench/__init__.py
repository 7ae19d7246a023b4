"""The benchmark: ``make bench`` (see bench/run.py). Nothing here is served in production."""
