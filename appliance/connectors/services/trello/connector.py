"""Trello: the household's API key and the member's token, pasted; the cards the member is on,
both ways. Trello answers the whole list at once, so there is no cursor to keep: each run
writes every card (writing one twice changes nothing) and forgets cards that are gone."""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.trello import api, cards
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant


async def account(http: ServiceHttp) -> str:
    return await api.me(http)


async def sync(session: SyncSession) -> None:
    for card_id in await session.completed_here():
        if await api.complete(session.http, card_id):
            await session.sent_done(card_id)
    found = await api.my_cards(session.http)
    for card in found:
        await session.upsert_task(cards.as_task(card))
    for gone in await session.remote_ids() - {card.id for card in found}:
        await session.forget(gone)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return False  # the member revokes the token at https://trello.com/my/account (Applications)
