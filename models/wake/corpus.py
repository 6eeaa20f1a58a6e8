"""What is said, and by which voices: training voices and held-out voices never overlap.

A `Clip` is 16 kHz float32 audio with where the wake phrase ends in it (None for negatives).
Positives are "Atom" and "Hey Atom" between stretches of background; negatives are other
sentences, near misses ("Adam", "at home", "bottom", "atomic", "Tom"), noise and music-like tones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from appliance.voice.audio import RATE
from models.wake import augment
from models.wake.speech import EspeakVoice, Piper, PiperVoiceSetting, espeak

__all__ = [
    "Clip",
    "Voices",
    "training_voices",
    "held_out_voices",
    "positives",
    "followed",
    "held_out_followed",
    "negatives",
    "held_out_negatives",
    "near_miss",
    "WAKE_PHRASES",
    "PiperTakes",
    "speak",
    "placed",
    "background",
    "non_speech",
]

WAKE_PHRASES = ("Atom", "Hey Atom", "Atom.", "Hey, Atom!")
NEAR_MISSES = (
    "Adam", "at home", "bottom", "atomic", "Tom", "Adam's", "autumn", "item", "anthem", "add them",
    "at them", "atoms", "a tom", "Atomic Kitten", "madam", "Hey Adam", "hey Tom", "hey mom", "totem",
    "custom", "fathom", "atop", "at all", "Ottoman",
)  # fmt: skip
NEAR_MISS_SENTENCES = (
    "Adam is at home today.", "Put it at the bottom of the list.", "The atomic clock is right.",
    "Tom went to the bottom of the garden.", "Is Adam at home?", "In autumn the leaves fall.",
    "Add them to the bottom shelf.", "That item is at the bottom.", "Hey Adam, what time is it?",
    "Ask Tom about the autumn trip.", "Adam and Tom are at home.", "Sing the anthem at the game.",
)  # fmt: skip
SENTENCES = (
    "What time is it?", "Add oat milk to the shopping list.", "Set a timer for ten minutes.",
    "Turn off the kitchen lights.", "What is the weather like tomorrow?", "Remind me to call grandma.",
    "Clear the shopping list.", "Play some music in the living room.", "How long until dinner?",
    "The children are going to school.", "I think we need more bread and eggs.", "Did you feed the cat?",
    "Let's go for a walk after lunch.", "The meeting has been moved to Thursday.", "Open the window please.",
    "Where did I leave my keys?", "My favourite colour is blue.", "Can you read me the news?",
    "We should paint the bedroom this summer.", "Dinner is ready, come and eat.", "Stop.", "Yes.", "No.",
    "Thank you very much.", "Good morning everyone.", "Put the kettle on.", "The bus is late again.",
    "How many cups of flour do I need?", "Call me when you get home.", "It is raining outside.",
    "Tomorrow is a public holiday.", "I have an appointment at the dentist.", "Lock the front door.",
    "Who won the football match?", "A photo of the mountains.", "The atmosphere was lovely.",
    "Add a task to water the plants.", "What is on my calendar today?", "Turn the volume down.",
    "Please tidy your room before bedtime.", "We are out of coffee.", "The battery is almost empty.",
)  # fmt: skip

HELD_OUT_SENTENCES = (
    "Could you check whether the oven is still on?", "My sister arrives on the early train.",
    "We planted tomatoes along the fence.", "The printer upstairs is out of paper again.",
    "Remember to take the bins out on Tuesday.", "How far is it to the nearest pharmacy?",
    "The film starts at half past eight.", "I left the umbrella in the car.",
    "Adam bought a bottle of milk at the shop.", "The bottom drawer is stuck.",
    "Atomic energy was the topic of the lecture.", "Tom and Adam stayed at home.",
    "Autumn is my favourite season.", "Put the item back at the bottom.",
    "Is there any soup left from yesterday?", "The dog barked at the postman.",
    "Turn the heating up a little.", "Who left the lights on in the garage?",
    "Grandad is coming for lunch on Sunday.", "The kids want pancakes for breakfast.",
    "Did anyone see my reading glasses?", "The washing machine finished ten minutes ago.",
    "Let's order a pizza tonight.", "Her birthday is at the end of the month.",
    "The tap in the bathroom is dripping.", "We need to book the car in for a service.",
    "I'll be home late, don't wait for me.", "The cat is asleep on the sofa again.",
    "Madam, your table is ready.", "The custom is to bring a small gift.",
    "In autumn the garden turns gold.", "Adam will fetch the items from the bottom shelf.",
    "Are the atoms in this model to scale?", "Tom said the anthem was too long.",
    "What's the forecast for the weekend?", "Please water the tomatoes before you go.",
)  # fmt: skip

_NEAR_MISS_PARTS = ("adam", "atom", "tom", "bottom", "autumn", "item", "anthem", "custom", "madam", "them")
FOLLOWED_NEAR_MISSES = (
    "Tom", "hey Tom", "atoms", "at home", "bottom", "autumn", "item", "add them", "at them", "totem", "custom",
)  # fmt: skip  # said straight before a command, as negatives. Not "Adam": see train.followed_near_misses
FOLLOWING_COMMANDS = tuple(
    s for s in HELD_OUT_SENTENCES if not any(part in s.lower() for part in _NEAR_MISS_PARTS)
)  # held-out commands said straight after "Atom" in evaluate.py

_PIPER_TRAIN_LENGTHS = ((0.75, 0.94), (1.06, 1.4))
_PIPER_HELD_OUT_LENGTH = (0.95, 1.05)
_ESPEAK_BASES = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-029", "en-gb-x-gbcwmd")
_ESPEAK_VARIANTS = (
    "", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2", "klatt3",
    "croak", "Andy", "Annie", "Denis", "Gene", "Michael", "belinda", "edward", "grandma", "linda", "max", "steph",
)  # fmt: skip
_HELD_OUT_BASES = ("en-029", "en-gb-x-gbcwmd")
_HELD_OUT_VARIANTS = ("f4", "m6", "klatt3", "Annie", "Michael", "belinda")


@dataclass(frozen=True)
class Clip:
    samples: np.ndarray
    wake_end: int | None  # sample index where the wake phrase ends; None: no wake word in it
    wake_start: int | None = None


@dataclass
class Voices:
    """A draw of voices: piper settings from some ranges, espeak voices from some names."""

    piper_lengths: tuple[tuple[float, float], ...]
    piper_noise: tuple[float, float]
    espeak: tuple[str, ...]

    def piper(self, rng: np.random.Generator) -> PiperVoiceSetting:
        low, high = self.piper_lengths[rng.integers(len(self.piper_lengths))]
        return PiperVoiceSetting(rng.uniform(low, high), rng.uniform(*self.piper_noise), rng.uniform(*self.piper_noise))

    def espeak_voice(self, rng: np.random.Generator) -> EspeakVoice:
        return EspeakVoice(str(rng.choice(self.espeak)), int(rng.integers(120, 200)), int(rng.integers(20, 80)))


def _espeak_names(held_out: bool) -> tuple[str, ...]:
    names = []
    for base in _ESPEAK_BASES:
        for variant in _ESPEAK_VARIANTS:
            unseen = base in _HELD_OUT_BASES or variant in _HELD_OUT_VARIANTS
            if unseen == held_out:
                names.append(f"{base}+{variant}" if variant else base)
    return tuple(names)


def training_voices() -> Voices:
    return Voices(_PIPER_TRAIN_LENGTHS, (0.3, 1.0), _espeak_names(held_out=False))


def held_out_voices() -> Voices:
    """Voices no training clip used: other espeak accents and variants, piper's joe near its
    default pace with little variation (as `TextToSpeech(steady=True)` speaks)."""
    return Voices((_PIPER_HELD_OUT_LENGTH,), (0.0, 0.25), _espeak_names(held_out=True))


class PiperTakes:
    """piper is slow next to espeak-ng, so each text gets a few takes, reused under new augmentations."""

    def __init__(self, piper: Piper, takes: int) -> None:
        self._piper, self._takes = piper, takes
        self._said: dict[str, list[np.ndarray]] = {}

    def say(self, text: str, voices: Voices, rng: np.random.Generator) -> np.ndarray:
        takes = self._said.setdefault(text, [])
        if len(takes) < self._takes:
            takes.append(self._piper.say(text, voices.piper(rng)))
            return takes[-1]
        return takes[rng.integers(len(takes))]

    def say_fresh(self, texts: tuple[str, ...], voices: Voices, rng: np.random.Generator) -> list[np.ndarray]:
        """Each text said once more, all in one drawn setting (not kept as takes)."""
        setting = voices.piper(rng)
        return [self._piper.say(text, setting) for text in texts]


def speak(text: str, voices: Voices, piper: PiperTakes | None, rng: np.random.Generator) -> np.ndarray:
    if piper is not None and rng.random() < 0.4:
        return piper.say(text, voices, rng)
    return espeak(text, voices.espeak_voice(rng))


def speak_both(
    first: str, second: str, voices: Voices, piper: PiperTakes | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Two texts by one voice (piper's joe, or one espeak-ng voice)."""
    if piper is not None and rng.random() < 0.4:
        return piper.say(first, voices, rng), piper.say(second, voices, rng)
    voice = voices.espeak_voice(rng)
    return espeak(first, voice), espeak(second, voice)


def wake_then(wake: str, command: str) -> str:
    """One utterance, no comma: "Atom" + "Turn the heating up." → "Atom turn the heating up."."""
    return f"{wake} {command[0].lower()}{command[1:]}"


def one_breath(
    wake: str, command: str, voices: Voices, piper: PiperTakes | None, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """ "<wake> <command>" as one utterance, and about where the wake phrase ends in it: the utterance's
    length less the command's said alone by the same voice (the voice runs the words together, so
    the end is an estimate, within a few tens of ms for espeak-ng's rule-based timing)."""
    texts = (wake_then(wake, command), command)
    if piper is not None and rng.random() < 0.4:
        whole, alone = piper.say_fresh(texts, voices, rng)
    else:
        voice = voices.espeak_voice(rng)
        whole, alone = espeak(texts[0], voice), espeak(texts[1], voice)
    return whole, max(0, len(whole) - len(alone))


def placed(speech: np.ndarray, rng: np.random.Generator, before: float, after: float) -> tuple[np.ndarray, int, int]:
    """The speech with background before and after; where it starts and ends."""
    lead, tail = int(rng.uniform(*before) * RATE), int(rng.uniform(*after) * RATE)
    audio = np.concatenate([np.zeros(lead, np.float32), speech, np.zeros(tail, np.float32)])
    return audio, lead, lead + len(speech)


def background(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Quiet room tone under everything, so silence is never digital zero."""
    level = 10 ** (rng.uniform(-75, -45) / 20)
    return (audio + augment.noise(len(audio), rng) * level).astype(np.float32)


def positives(
    count: int, voices: Voices, piper: PiperTakes | None, rng: np.random.Generator, vary: bool
) -> Iterator[Clip]:
    for _ in range(count):
        speech = speak(str(rng.choice(WAKE_PHRASES)), voices, piper, rng)
        if speech.size == 0:
            continue
        if vary:
            speech = augment.augmented(speech, rng)
        else:
            speech = augment.gain(speech, rng)
        audio, start, end = placed(speech, rng, (0.2, 1.4), (0.5, 0.9))
        yield Clip(background(audio, rng), end, start)


def followed(
    count: int,
    voices: Voices,
    piper: PiperTakes | None,
    rng: np.random.Generator,
    commands,  # noqa: ANN001
    openers: tuple[str, ...] = WAKE_PHRASES[:2],
) -> Iterator[Clip]:
    """ "Atom" with the command straight after it, as a household says it in one breath: half said as
    one utterance (`one_breath`: the voice runs the words together, the phrase's end estimated), half
    synthesised apart and joined 0-150 ms apart (the end exact). `commands(rng)` draws the command's
    text. Augmented as one clip. With near misses as `openers` ("Tom set a timer…") the clips are
    negatives (wake_end None): the same shape with the wrong first word."""
    wake = openers == WAKE_PHRASES[:2]
    for _ in range(count):
        phrase, command = str(rng.choice(openers)), commands(rng)
        if rng.random() < 0.5:
            joined, phrase_end = one_breath(phrase, command, voices, piper, rng)
        else:
            first, said = speak_both(phrase, command, voices, piper, rng)
            gap = np.zeros(int(rng.uniform(0.0, 0.15) * RATE), np.float32)
            joined, phrase_end = np.concatenate([first, gap, said]), len(first)
        if phrase_end == 0 or phrase_end >= len(joined):
            continue
        speech, phrase_end = augment.augmented_marked(joined, phrase_end, rng)
        audio, start, _ = placed(speech, rng, (0.2, 1.4), (0.3, 0.6))
        yield Clip(background(audio, rng), start + phrase_end if wake else None, start if wake else None)


def held_out_followed(
    count: int, voices: Voices, piper: PiperTakes | None, rng: np.random.Generator, vary: bool
) -> Iterator[Clip]:
    """Held-out voices saying "Atom <command>" as one utterance, no comma: the voice decides how
    the words run together. Where the phrase ends is not known (wake_end None); the commands are
    held-out sentences with no near miss in them, so a detection is the wake word's."""
    for _ in range(count):
        command = str(rng.choice(FOLLOWING_COMMANDS))
        speech = speak(wake_then(str(rng.choice(WAKE_PHRASES[:2])), command), voices, piper, rng)
        if speech.size == 0:
            continue
        speech = augment.augmented(speech, rng) if vary else augment.gain(speech, rng)
        audio, start, _ = placed(speech, rng, (0.2, 1.4), (0.5, 0.9))
        yield Clip(background(audio, rng), None, start)


def held_out_negatives(
    count: int, voices: Voices, piper: PiperTakes | None, rng: np.random.Generator
) -> Iterator[Clip]:
    """Negative audio no training clip contained: household talk (near misses among it, in
    sentences), noise and music-like tones. Near-miss words said alone are measured apart."""
    for _ in range(count):
        if rng.random() < 0.2:
            audio = non_speech(rng)
        else:
            speech = augment.augmented(speak(str(rng.choice(HELD_OUT_SENTENCES)), voices, piper, rng), rng)
            audio = placed(speech, rng, (0.1, 0.6), (0.1, 0.6))[0]
        yield Clip(background(audio, rng), None)


def near_miss(word: str, voices: Voices, piper: PiperTakes | None, rng: np.random.Generator) -> Clip:
    """One near-miss word said on its own, with quiet around it (the hardest case)."""
    speech = augment.gain(speak(word, voices, piper, rng), rng)
    audio = placed(speech, rng, (0.3, 0.6), (0.6, 0.8))[0]
    return Clip(background(audio, rng), None)


def negatives(
    count: int, voices: Voices, piper: PiperTakes | None, rng: np.random.Generator, vary: bool
) -> Iterator[Clip]:
    for _ in range(count):
        kind = rng.random()
        if kind < 0.15:
            audio = non_speech(rng)
        else:
            pool = NEAR_MISSES if kind < 0.4 else NEAR_MISS_SENTENCES if kind < 0.55 else SENTENCES
            speech = speak(str(rng.choice(pool)), voices, piper, rng)
            speech = augment.augmented(speech, rng) if vary else augment.gain(speech, rng)
            audio = placed(speech, rng, (0.2, 1.0), (0.3, 0.8))[0]
        yield Clip(background(audio, rng), None)


def non_speech(rng: np.random.Generator) -> np.ndarray:
    seconds = rng.uniform(1.5, 4.0)
    if rng.random() < 0.5:
        sound = augment.tones(seconds, rng)
    else:
        sound = augment.noise(int(seconds * RATE), rng)
    return augment.gain(sound, rng)
