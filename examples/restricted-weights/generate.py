# SPDX-License-Identifier: Apache-2.0
"""Sample text from the released weights."""

from modeling import PebbleLM
from safetensors.torch import load_file


def generate(prompt, steps=100):
    model = PebbleLM()
    model.load_state_dict(load_file("model.safetensors"))
    return model.generate(prompt, steps)
