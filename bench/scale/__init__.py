"""The retrieval-layer benchmark at scale (issue #15); run it as bench/retrieval_scale_bench.py."""
