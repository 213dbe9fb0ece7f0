"""Frameworks: pure functions from `Facts` to an assessment. They never read files."""
