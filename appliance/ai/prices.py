"""The price table: shipped defaults from each provider's manifest, with the admin's edits on top."""

from __future__ import annotations

from appliance.ai import queries
from appliance.ai.providers.registry import manifest, manifests
from appliance.ai.shapes import ModelPrice, PriceUpdate
from appliance.storage import Database

__all__ = ["price_table", "price_of", "price_edits", "priced", "set_price", "reset_price"]


async def price_table(db: Database) -> list[ModelPrice]:
    edits = await db.read(queries.price_edits)
    table = sorted(manifests().items())
    return [priced(edits, provider, model) for provider, found in table for model in sorted(found.models)]


async def price_of(db: Database, provider: str, model: str) -> ModelPrice:
    """The price of a model; a model the table does not know is priced by its provider's `*` entry, or free."""
    return priced(await db.read(queries.price_edits), provider, model)


async def price_edits(db: Database) -> dict[tuple[str, str], tuple[float, float]]:
    """The admin's edits, read once for pricing many routes with `priced`."""
    return await db.read(queries.price_edits)


def priced(edits: dict[tuple[str, str], tuple[float, float]], provider: str, model: str) -> ModelPrice:
    info = manifest(provider).model_info(model)
    context = info.context if info else 0
    if (provider, model) in edits:
        inp, out = edits[(provider, model)]
        return ModelPrice(
            provider=provider, model=model, input_per_mtok=inp, output_per_mtok=out, context=context, edited=True
        )
    inp, out = (info.input_per_mtok, info.output_per_mtok) if info else (0.0, 0.0)
    return ModelPrice(provider=provider, model=model, input_per_mtok=inp, output_per_mtok=out, context=context)


async def set_price(db: Database, provider: str, model: str, price: PriceUpdate) -> ModelPrice:
    manifest(provider)  # an unknown provider is a 404
    await db.write(queries.save_price, provider, model, price)
    return await price_of(db, provider, model)


async def reset_price(db: Database, provider: str, model: str) -> ModelPrice:
    await db.write(queries.delete_price, provider, model)
    return await price_of(db, provider, model)
