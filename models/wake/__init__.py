"""Atom's wake-word model: synthetic speech in, a small classifier over openWakeWord's embeddings out.

    python -m models.wake.train --data-dir data     (needs `wake-features` and `piper-joe` installed)

`speech.py` makes the voices (piper, espeak-ng), `augment.py` varies them, `corpus.py` says what is
said by whom (training voices apart from held-out ones), `sentences.py` makes thousands of distinct
household sentences (near misses in many carriers), `stream.py` turns them into long negative audio
for hard-negative mining, `validate.py` is the training-side check that picks the detector's rule,
`classifier.py` trains the MLP and writes it as ONNX, `train.py` runs it all with one seed,
`evaluate.py` measures on what training never used, and `phrase_end.py` measures where the detector
thinks the phrase ended (re-run it after retraining: the detector's `END_MARGIN_MS` comes from it).
"""
