"""The encoder's shape and limits, read from the sentence-transformers folder's config files."""

from __future__ import annotations

from pathlib import Path

import msgspec

__all__ = ["BertShape", "read_shape"]


class BertShape(msgspec.Struct, frozen=True, kw_only=True):
    hidden: int
    heads: int
    layers: int
    intermediate: int
    layer_norm_eps: float
    positions: int  # position embeddings the model has
    max_length: int  # tokens one pass reads, [CLS] and [SEP] included (sentence-transformers' max_seq_length)

    @property
    def head_size(self) -> int:
        return self.hidden // self.heads


class _BertConfig(msgspec.Struct, kw_only=True):
    hidden_size: int
    num_attention_heads: int
    num_hidden_layers: int
    intermediate_size: int
    layer_norm_eps: float
    max_position_embeddings: int
    hidden_act: str = "gelu"
    position_embedding_type: str = "absolute"


class _SentenceConfig(msgspec.Struct, kw_only=True):
    max_seq_length: int | None = None


def read_shape(folder: Path) -> BertShape:
    """The shape in `config.json`, limited by `sentence_bert_config.json` (256 for MiniLM: what it was trained on)."""
    config = msgspec.json.decode((folder / "config.json").read_bytes(), type=_BertConfig)
    if config.hidden_act != "gelu" or config.position_embedding_type != "absolute":
        raise ValueError(f"unsupported BERT variant ({config.hidden_act}, {config.position_embedding_type})")
    limit = _sentence_limit(folder / "sentence_bert_config.json") or config.max_position_embeddings
    return BertShape(
        hidden=config.hidden_size,
        heads=config.num_attention_heads,
        layers=config.num_hidden_layers,
        intermediate=config.intermediate_size,
        layer_norm_eps=config.layer_norm_eps,
        positions=config.max_position_embeddings,
        max_length=min(limit, config.max_position_embeddings),
    )


def _sentence_limit(path: Path) -> int | None:
    try:
        return msgspec.json.decode(path.read_bytes(), type=_SentenceConfig).max_seq_length
    except FileNotFoundError:
        return None
    except msgspec.DecodeError:
        raise ValueError(f"{path.name} is not valid JSON") from None
