"""Evidence extractors: Release -> Facts."""
