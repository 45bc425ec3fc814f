"""Benchmarks of the portal against the budgets of ../shared/design/architecture.md (`make bench`).

Each benchmark returns `Figure`s: a measured value beside its budget. The harness prints a Markdown table and
writes the same figures as JSON under bench/results/. Benchmarks measure; they never run in `make test`.
"""
