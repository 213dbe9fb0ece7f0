# SPDX-License-Identifier: Apache-2.0
"""Compute held-out perplexity."""

import math


def evaluate(model, batches):
    total, count = 0.0, 0
    for batch in batches:
        total += float(model.loss(batch))
        count += 1
    return math.exp(total / max(count, 1))  # perplexity
