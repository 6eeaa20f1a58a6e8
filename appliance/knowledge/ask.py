"""Questions answered from the member's own notes and documents, with the sources named.

The question is searched (keywords and meaning, fused); only passages close enough in meaning
count as sources. With none, Atom says it does not know, without asking a model to guess. With
some, the model is told to answer from them alone and to cite them as [1], [2].
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from appliance.accounts.shapes import Principal
from appliance.ai.gateway import AIGateway
from appliance.ai.providers.base import ChatMessage, ChatRequest
from appliance.knowledge.index.search import Passage
from appliance.knowledge.knowledge import Knowledge
from appliance.knowledge.records import SearchQuery

__all__ = ["Question", "Answer", "Citation", "ask", "MIN_COSINE"]

MIN_COSINE = 0.35  # all-MiniLM-L6-v2: below this, a passage is about something else
_SOURCES = 4
_INSTRUCTIONS = (
    "You answer a household member's question using only the numbered sources from their own notes and "
    "documents. Cite the sources you use like [1]. If the sources do not contain the answer, say that you "
    "do not know. Be brief."
)
DONT_KNOW = "I don't know: nothing in your notes or documents answers that."


class Question(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    question: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class Citation(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    id: str
    type: str
    title: str
    snippet: str
    url: str | None = None
    """Where to open it, for a record brought in from elsewhere (`connected`): http(s) only, else none."""


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    answer: str
    citations: list[Citation]
    answered_by: str | None
    """The model that wrote the answer (provider/model), or None when no source was found."""


async def ask(knowledge: Knowledge, gateway: AIGateway, principal: Principal, question: str) -> Answer:
    query = SearchQuery(text=question, limit=_SOURCES * 2)
    results, passages = await knowledge.search_passages(principal.user_id, query)
    sources = [(hit, p) for hit, p in zip(results.results, passages, strict=True) if _relevant(p)][:_SOURCES]
    if not sources:
        return Answer(answer=DONT_KNOW, citations=[], answered_by=None)
    text, model = await _complete(gateway, principal, question, [p for _, p in sources])
    citations = [
        Citation(number=n, id=h.id, type=h.type, title=h.title, snippet=h.snippet)
        for n, (h, _) in enumerate(sources, start=1)
    ]
    return Answer(answer=text.strip() or DONT_KNOW, citations=citations, answered_by=model)


def _relevant(passage: Passage) -> bool:
    return passage.cosine is not None and passage.cosine >= MIN_COSINE


async def _complete(
    gateway: AIGateway, principal: Principal, question: str, passages: list[Passage]
) -> tuple[str, str]:
    numbered = "\n\n".join(f"[{n}] {p.title}\n{p.body}" for n, p in enumerate(passages, start=1))
    request = ChatRequest(
        model="auto",
        messages=[
            ChatMessage(role="system", content=_INSTRUCTIONS),
            ChatMessage(role="user", content=f"Sources:\n{numbered}\n\nQuestion: {question}"),
        ],
        max_tokens=300,
        temperature=0.2,
    )
    pieces, model = [], ""
    async for routed in gateway.stream(principal, request, source="ask"):
        pieces.append(routed.chunk.text)
        model = routed.route.name
    return "".join(pieces), model
