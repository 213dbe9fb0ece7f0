"""The Hugging Face Hub as a source.

- `client.py`: HTTP to the hub (endpoint, token, bounded reads, retries, rate limits);
- `model.py`: a model repository -> a `Release` (`HubSource`), and the `hf:` target syntax;
- `datasets.py`: the datasets a card names, looked up once per reader;
- `fields.py`: reading the hub's JSON values defensively.

See docs/sources-hf.md.
"""

from __future__ import annotations

from osaid.sources.hf.client import _stored_token
from osaid.sources.hf.datasets import MAX_DATASETS
from osaid.sources.hf.limits import RateLimited
from osaid.sources.hf.model import HubSource, HubTarget, looks_like_repo_id, parse_target

__all__ = [
    "_stored_token",
    "MAX_DATASETS",
    "RateLimited",
    "HubSource",
    "HubTarget",
    "looks_like_repo_id",
    "parse_target",
]
