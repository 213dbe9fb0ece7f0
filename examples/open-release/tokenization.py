# SPDX-License-Identifier: Apache-2.0
"""Byte-level tokenizer used by pebble-lm."""


def encode(text):
    return list(text.encode("utf-8"))


def decode(ids):
    return bytes(ids).decode("utf-8", errors="replace")
