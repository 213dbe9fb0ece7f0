# SPDX-License-Identifier: Apache-2.0
"""The pebble-lm architecture: a small decoder-only transformer over bytes."""

import torch


class PebbleLM(torch.nn.Module):
    def __init__(self, vocab_size=256, hidden_size=128, num_layers=4, num_heads=4):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab_size, hidden_size)
        layer = torch.nn.TransformerEncoderLayer(hidden_size, num_heads, batch_first=True)
        self.blocks = torch.nn.TransformerEncoder(layer, num_layers)
        self.head = torch.nn.Linear(hidden_size, vocab_size)
