"""The wake model's training data keeps the held-out evaluation unseen, and mining weighs what it finds."""

from __future__ import annotations

import numpy as np

from models.wake import corpus, sentences, train


def test_the_household_sentences_are_thousands_and_never_a_held_out_one() -> None:
    assert sentences.distinct_count(3000) > 3000
    rng = np.random.default_rng(7)
    drawn = {sentences.sentence(rng, frozenset()) for _ in range(200)}
    forbidden = frozenset(list(drawn)[:150])
    rng = np.random.default_rng(7)
    again = [sentences.sentence(rng, forbidden) for _ in range(200)]
    assert not forbidden & set(again)
    held_out = frozenset(corpus.HELD_OUT_SENTENCES)
    rng = np.random.default_rng(8)
    assert not held_out & {sentences.near_miss_sentence(rng, held_out) for _ in range(2000)}


def test_near_misses_are_said_in_many_carriers() -> None:
    rng = np.random.default_rng(9)
    said = {sentences.near_miss_sentence(rng, frozenset()) for _ in range(500)}
    assert len(said) > 400
    assert sum("Adam" in s for s in said) > 10 and sum("atoms" in s for s in said) > 3


def test_mined_windows_join_as_weighted_negatives_and_the_classes_stay_balanced() -> None:
    x = np.zeros((10, 16, 96), np.float16)
    y = np.array([1, 1] + [0] * 8, np.float32)
    stream = np.ones((6, 16, 96), np.float16)
    taken = np.array([False, True, False, False, True, False])
    x_all, y_all, w_all = train.with_stream(x, y, train.balanced(y), stream, np.array([0, 1, 2]), taken)
    assert len(x_all) == 10 + 2 + 2  # sampled 0 and 2 (1 is mined, counted once), mined 1 and 4
    assert (y_all[10:] == 0).all() and (w_all[-2:] == train._MINED_WEIGHT).all()
    assert np.isclose(w_all[y_all > 0].sum(), w_all[y_all == 0].sum())
