"""The wake model's training data keeps the held-out evaluation unseen, and mining weighs what it finds."""

from __future__ import annotations

import numpy as np

from models.wake import augment, corpus, lone, sentences, train, validate


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


def test_near_misses_said_alone_join_as_negatives_weighing_more_but_not_inside_the_word() -> None:
    x = np.zeros((4, 16, 96), np.float16)
    y = np.array([1, 0, 0, 0], np.float32)
    windows = np.arange(5, dtype=np.float16)[:, None, None] * np.ones((5, 16, 96), np.float16)
    negative = np.array([True, False, True, True, False])
    said = lone.Lone(windows, np.array([2, 3]), np.array([0, 1]), negative)
    x_all, y_all, w_all = train.with_lone(x, y, train.balanced(y), said, 8.0)
    assert len(x_all) == 7 and [int(w[0, 0]) for w in x_all[4:]] == [0, 2, 3]
    assert (y_all[4:] == 0).all() and (w_all[4:] == 8.0).all() and (w_all[:4] == train.balanced(y)).all()


def test_a_lone_words_windows_ending_inside_it_are_left_out() -> None:
    """A word from 0.5 s to 1.01 s: windows end every 80 ms (1280 samples); those ending in the word
    ("Atom" of "atoms", before its "z") or under 40 ms after it are neither a yes nor a no."""
    keep = lone.outside(16, 8000, 16100)
    ends = 1280 * np.arange(1, 17)
    assert list(ends[keep]) == [1280 * k for k in range(1, 8)] + [1280 * k for k in range(14, 17)]
    assert 16640 - 16100 < 640 and not keep[12]  # ends 540 samples after the word: too soon


def test_lone_rates_count_each_words_clips_that_wake_the_detector() -> None:
    """Clip windows score their first value; a clip wakes it with three high frames in a row."""
    high, low = np.full((4, 16, 96), 0.9, np.float16), np.full((4, 16, 96), 0.1, np.float16)
    windows = np.concatenate([high, low, high[:2], low[:2], high])  # word 0: woke, quiet; word 1: 2 high frames; woke
    said = lone.Lone(windows, np.array([4, 4, 4, 4]), np.array([0, 0, 1, 1]), np.ones(len(windows), bool))
    rates = validate.lone_rates(lambda w: w[:, 0, 0].astype(np.float32), said, (0.5, 0.95), patience=3)
    assert rates[0.5] == {lone.WORDS[0]: 0.5, lone.WORDS[1]: 0.5}
    assert rates[0.95] == {lone.WORDS[0]: 0.0, lone.WORDS[1]: 0.0}


def test_the_lone_words_cover_every_near_miss_the_bench_says_alone() -> None:
    assert set(corpus.NEAR_MISSES) <= set(lone.WORDS) and len(set(lone.WORDS)) == len(lone.WORDS)


def test_a_marked_sample_lands_where_the_speed_change_moves_it() -> None:
    """The wake phrase's end inside "Atom <command>" follows the clip through speed, room and noise."""
    ramp = np.linspace(0.0, 1.0, 16000, dtype=np.float32)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        factor = np.random.default_rng(seed).uniform(0.85, 1.15)  # the first draw, as augmented_marked makes it
        out, mark = augment.augmented_marked(ramp, 8000, rng)
        assert len(out) == int(16000 / factor)
        assert abs(mark - 8000 / factor) <= 1


def test_held_out_commands_after_the_wake_word_hold_no_near_miss_and_no_training_sentence() -> None:
    assert len(corpus.FOLLOWING_COMMANDS) >= 15
    for command in corpus.FOLLOWING_COMMANDS:
        assert command in corpus.HELD_OUT_SENTENCES
        assert not any(word in command.lower() for word in ("adam", "atom", "tom", "bottom", "autumn"))
    rng = np.random.default_rng(3)
    held_out = frozenset(corpus.HELD_OUT_SENTENCES)
    assert not held_out & {sentences.sentence(rng, held_out) for _ in range(2000)}
