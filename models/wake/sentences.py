"""Training-side household talk, made combinatorially so that thousands of distinct sentences exist.

A handful of fixed sentences teaches the classifier those sentences; false accepts come from the
endless rest of what a household says. Templates with slots filled from word lists give tens of
thousands of sentences, near misses ("Adam", "atoms", "bottom", "at home", ...) among them in many
carriers. None of `corpus.HELD_OUT_SENTENCES` is ever produced (`sentence` draws again), so the
held-out evaluation stays unseen.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sentence", "near_miss_sentence", "distinct_count"]

_PEOPLE = (
    "Sarah", "Peter", "Lucy", "Ben", "Grandma", "Grandpa", "Dad", "Mum", "my brother", "the kids", "Emma",
    "Oliver", "the neighbours", "our guests", "Uncle Jim", "Aunt Mary", "the plumber", "Charlotte", "Jack",
    "Sophie", "Harry", "Mia", "Noah", "the teacher", "James", "Ella", "my boss", "the baby",
)  # fmt: skip
_NEAR_NAMES = ("Adam", "Tom", "Madam", "Addison", "Adams", "Tommy", "Ada", "Autumn", "Atticus", "Adele", "Todd")
_NEAR_WORDS = (
    "atoms", "bottom", "at home", "atomic", "autumn", "item", "anthem", "custom", "fathom", "totem",
    "atop", "at all", "tomato", "tomatoes", "atmosphere", "attempt", "at them", "add them", "a tom",
    "Ottoman", "at ten", "at one", "that one", "sat on", "batter", "matter", "atlas", "at night",
    "adamant", "anatomy", "at most", "at odds", "at ease", "atrium", "hat on", "cat on", "rotten",
)  # fmt: skip
_ROOMS = (
    "kitchen", "hallway", "bedroom", "study", "attic", "basement", "dining room", "living room", "nursery",
    "bathroom", "garage", "garden", "loft", "office", "playroom", "porch", "utility room", "landing",
)  # fmt: skip
_DEVICES = (
    "lights", "heating", "fan", "radio", "television", "lamp", "oven", "dishwasher", "kettle", "speaker",
    "air purifier", "music", "blinds", "boiler", "tumble dryer", "coffee machine", "printer", "router",
)  # fmt: skip
_ITEMS = (
    "oat milk", "bread", "eggs", "butter", "apples", "bananas", "rice", "pasta", "cheese", "coffee",
    "tea bags", "washing powder", "bin bags", "toilet roll", "orange juice", "yoghurt", "onions",
    "carrots", "potatoes", "chicken", "olive oil", "flour", "sugar", "batteries", "light bulbs",
    "shampoo", "toothpaste", "cereal", "biscuits", "lemons", "garlic", "spinach", "dog food", "cat litter",
)  # fmt: skip
_LISTS = ("shopping", "grocery", "to do", "packing", "chores", "party", "hardware", "weekend")
_TASKS = (
    "call the dentist", "water the plants", "pay the gas bill", "book the car in", "feed the fish",
    "take the bins out", "pick up the dry cleaning", "phone the school", "renew the insurance",
    "defrost the freezer", "post the parcel", "charge my phone", "buy a birthday card", "walk the dog",
    "check the post", "cancel the newspaper", "return the library books", "order more printer ink",
)  # fmt: skip
_WHENS = (
    "tomorrow morning", "tonight", "on Monday", "on Friday", "next week", "after lunch", "this afternoon",
    "at eight", "at half past six", "at ten o'clock", "at seven thirty", "before school", "after dinner",
    "in an hour", "on Saturday", "at noon", "first thing", "later today", "at quarter to nine",
)  # fmt: skip
_NUMBERS = ("two", "three", "five", "ten", "fifteen", "twenty", "thirty", "forty five", "ninety")
_PLACES = (
    "the library", "the post office", "the chemist", "the bakery", "the swimming pool", "the garden centre",
    "the supermarket", "the bank", "the butcher", "the cinema", "the museum", "the recycling centre",
)  # fmt: skip
_THINGS = (
    "the car", "the sink", "the fridge", "the fence", "the roof", "the bike", "the washing", "the lawn",
    "the windows", "the gutters", "the carpet", "the curtains", "the shed", "the drain", "the boiler",
)  # fmt: skip
_FEELINGS = ("tired", "hungry", "cold", "late", "busy", "bored", "excited", "ready", "happy", "worried")
_TOPICS = (
    "the holiday", "the school trip", "the match", "the weather", "dinner", "the party", "the new job",
    "the film", "the garden", "the bills", "the weekend", "the wedding", "the football", "the recipe",
)  # fmt: skip

_TEMPLATES = (
    "Turn {on_off} the {device} in the {room}.", "Switch {on_off} the {device}.", "Is the {device} still on?",
    "Add {item} to the {list} list.", "Take {item} off the {list} list.", "Do we have any {item} left?",
    "Remind me to {task} {when}.", "Don't forget to {task}.", "{Person} will {task} {when}.",
    "Set a timer for {number} minutes.", "Wake me up {when}.", "How long until {when}?",
    "What time does {place} open {when}?", "Is {place} open {when}?", "Can you drive me to {place}?",
    "Did you clean {thing}?", "{Thing} needs fixing again.", "Who left {thing} like that?",
    "{Person} is feeling {feeling} today.", "I am too {feeling} to cook.", "Are you {feeling}?",
    "Tell {person} that dinner is ready.", "Ask {person} about {topic}.", "{Person} called about {topic}.",
    "What did {person} say about {topic}?", "We talked about {topic} {when}.", "Put it in the {room}.",
    "Has anyone seen the remote in the {room}?", "It is freezing in the {room}.", "Play something calm.",
    "How many {item} do we need?", "We need {number} {item}.", "{Person} is coming {when}.",
    "Let's meet {person} at {place}.", "Read me the news.", "What is the weather going to be {when}?",
)  # fmt: skip
_NEAR_TEMPLATES = (
    "Tell {name} that dinner is ready.", "{Name} is coming over {when}.", "Ask {name} about {topic}.",
    "Did {name} call {when}?", "I saw {name} at {place}.", "{Name} left {item} in the {room}.",
    "Is {name} in the {room}?", "Hey {name}, {question}", "{Name}, can you help me?", "Thanks, {name}.",
    "The word on the page was {word}.", "He said {word}, not something else.", "It is in the {word} drawer.",
    "Look at the {word} of the page.", "We learned about {word} {when}.", "I love {word}.",
    "Put the {item} {word}.", "Is it {word}?", "{Word}, really?", "Put {word} on the {list} list.",
    "{Person} talked about {word} {when}.", "Turn the {device} {word}.", "The {word} one, please.",
)  # fmt: skip
_QUESTIONS = ("where are my keys?", "what time is it?", "are you hungry?", "can you hear me?", "is it raining?")


def _fill(template: str, rng: np.random.Generator) -> str:
    def pick(words: tuple[str, ...]) -> str:
        return str(words[rng.integers(len(words))])

    slots = {
        "on_off": pick(("on", "off", "up", "down")), "device": pick(_DEVICES), "room": pick(_ROOMS),
        "item": pick(_ITEMS), "list": pick(_LISTS), "task": pick(_TASKS), "when": pick(_WHENS),
        "person": pick(_PEOPLE), "number": pick(_NUMBERS), "place": pick(_PLACES), "thing": pick(_THINGS),
        "feeling": pick(_FEELINGS), "topic": pick(_TOPICS), "name": pick(_NEAR_NAMES),
        "word": pick(_NEAR_WORDS), "question": pick(_QUESTIONS),
    }  # fmt: skip
    slots |= {key.capitalize(): value[:1].upper() + value[1:] for key, value in slots.items()}
    return template.format(**slots)


def sentence(rng: np.random.Generator, held_out: frozenset[str]) -> str:
    """One everyday household sentence, never one of `held_out`."""
    while True:
        said = _fill(str(_TEMPLATES[rng.integers(len(_TEMPLATES))]), rng)
        if said not in held_out:
            return said


def near_miss_sentence(rng: np.random.Generator, held_out: frozenset[str]) -> str:
    """A sentence with a near miss of "Atom" in it (a name or a word), never one of `held_out`."""
    while True:
        said = _fill(str(_NEAR_TEMPLATES[rng.integers(len(_NEAR_TEMPLATES))]), rng)
        if said not in held_out:
            return said


def distinct_count(draws: int, seed: int = 0) -> int:
    """How many distinct sentences `draws` draws give (a check that the pool is large)."""
    rng = np.random.default_rng(seed)
    said = {sentence(rng, frozenset()) for _ in range(draws)}
    return len(said | {near_miss_sentence(rng, frozenset()) for _ in range(draws)})
