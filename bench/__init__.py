"""ReleaseWatch benchmarks: `python -m bench [--quick]` measures five figures (fan-out rate,
feed-to-phone latency, pipeline and matcher cost, poll cycle, memory), each beside its
reference in the same run, and writes bench/results.json. See bench/README.md.

Benchmarks only: nothing in bot/ imports this package, and nothing here listens beyond 127.0.0.1.
"""
