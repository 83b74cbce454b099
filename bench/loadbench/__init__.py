"""The load benchmark's parts: bench/load_bench.py runs them."""
