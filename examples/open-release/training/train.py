# SPDX-License-Identifier: Apache-2.0
"""Train pebble-lm-tiny with the settings in training/config.yaml."""

import yaml
from modeling import PebbleLM


def train(model, batches, optimizer, epochs):
    for _ in range(epochs):
        for batch in batches:
            optimizer.zero_grad()
            loss = model.loss(batch)
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    config = yaml.safe_load(open("training/config.yaml"))
    print("training with", config, PebbleLM)
