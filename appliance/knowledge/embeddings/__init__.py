"""Sentence embeddings on the box's CPU: all-MiniLM-L6-v2 through onnxruntime, no PyTorch.

    embedder = open_embedder(settings.data_dir, settings.knowledge.embed_threads,
                             settings.knowledge.embed_quantization)   # once, on a worker thread
    vectors = embedder.embed(["a note", "another"])   # n × embedder.dims float32; blocking
    embedder.count_tokens(chunk) <= embedder.max_tokens   # then the chunk is embedded whole

The model comes from the models registry (`atom models install minilm-l6-v2`). Its weights
become an ONNX graph once (`graph`, kept in the model's folder by `derived`, int8 by default);
texts are tokenized with its `tokenizer.json` (`tokens`) and run in batches of similar length
(`batches`). Vectors are mean-pooled over the text's tokens and L2-normalised, as
sentence-transformers does for this model, so a dot product is the cosine similarity.
"""

from appliance.knowledge.embeddings.derived import QUANTIZATIONS, Quantization
from appliance.knowledge.embeddings.embedder import (
    DEFAULT_MODEL,
    DEFAULT_QUANTIZATION,
    Embedder,
    embed_thread_count,
    open_embedder,
)

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_QUANTIZATION",
    "QUANTIZATIONS",
    "Embedder",
    "Quantization",
    "embed_thread_count",
    "open_embedder",
]
