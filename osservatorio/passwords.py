"""Which passwords Osservatorio accepts: long enough, not the user name, not common, hard to guess (zxcvbn).

`password_problem` returns the first reason in Italian, or None; `check_password` raises it. zxcvbn knows the
international lists of common passwords, words, names, keyboard rows, dates and sequences; the Italian words
people pick (teams, cities, names, the words of this field) come from the list shipped in `data/`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from zxcvbn import zxcvbn

MAX_LENGTH = 128  # argon2 would take anything; a limit keeps hashing and zxcvbn cheap
ZXCVBN_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters are enough to judge
MIN_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable: moderate protection from offline slow-hash attacks"
WARNINGS = {  # zxcvbn's reasons, in Italian
    'Straight rows of keys are easy to guess.': "le righe della tastiera sono facili da indovinare",
    'Short keyboard patterns are easy to guess.': "i percorsi sulla tastiera sono facili da indovinare",
    'Repeats like "aaa" are easy to guess.': "le ripetizioni come «aaa» sono facili da indovinare",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "le ripetizioni come «abcabc» sono facili quasi quanto «abc»",
    'Sequences like "abc" or "6543" are easy to guess.':
        "le sequenze come «abc» o «6543» sono facili da indovinare",
    "Recent years are easy to guess.": "gli anni recenti sono facili da indovinare",
    "Dates are often easy to guess.": "le date sono facili da indovinare",
    'This is a top-10 common password.': "è una delle password più usate al mondo",
    'This is a top-100 common password.': "è una delle password più usate al mondo",
    'This is a very common password.': "è una password molto comune",
    'This is similar to a commonly used password.': "somiglia a una password molto comune",
    'A word by itself is easy to guess.': "una parola da sola è facile da indovinare",
    'Names and surnames by themselves are easy to guess.': "nomi e cognomi da soli sono facili da indovinare",
    'Common names and surnames are easy to guess.': "nomi e cognomi comuni sono facili da indovinare",
}
ADVICE = "usare una frase di tre o quattro parole non collegate, per esempio «tram-limone-cortile-nove»"


@lru_cache(maxsize=1)
def common_words() -> tuple[str, ...]:
    """The shipped Italian list, most common first (zxcvbn ranks a word by its position)."""
    text = resources.files("osservatorio").joinpath("data/common_passwords_it.txt").read_text(encoding="utf-8")
    words = (line.strip().casefold() for line in text.splitlines())
    return tuple(dict.fromkeys(w for w in words if w and not w.startswith("#")))


def _bare(text: str) -> str:
    """Letters only, lower case: 'Juventus1897!' -> 'juventus' (to compare with the lists)."""
    return "".join(ch for ch in text.casefold() if ch.isalpha())


def _shape_problem(password: str, min_length: int) -> str | None:
    if not password.strip():
        return "la password non può essere fatta solo di spazi"
    if len(password) < min_length:
        return f"la password deve avere almeno {min_length} caratteri (ne ha {len(password)})"
    if len(password) > MAX_LENGTH:
        return f"la password può avere al più {MAX_LENGTH} caratteri"
    if len(set(password)) == 1:
        return "la password non può ripetere un solo carattere"
    return None


def _name_problem(password: str, username: str, min_length: int) -> str | None:
    """The user name with a few characters around it is not a password: what remains must be long enough."""
    name = username.strip().casefold()
    if not name:
        return None
    rest = password.casefold().replace(name, "").replace(name[::-1], "")
    if len(rest) < min_length // 2 + 1 and len(rest) < len(password):
        return "la password non può essere il nome utente con poche aggiunte"
    return None


def password_problem(password: str, *, username: str = "", min_length: int = 10) -> str | None:
    """What is wrong with `password` for `username`, in Italian, or None when it is acceptable."""
    problem = _shape_problem(password, min_length) or _name_problem(password, username, min_length)
    if problem:
        return problem
    if _bare(password) in common_words() or password.casefold() in common_words():
        return f"la password è tra le più comuni: {ADVICE}"
    result = zxcvbn(password[:ZXCVBN_LENGTH], user_inputs=[username, *common_words()])
    if result["score"] >= MIN_SCORE:
        return None
    reason = WARNINGS.get(result["feedback"]["warning"], "")
    return f"la password è troppo facile da indovinare{': ' + reason if reason else ''}; {ADVICE}"


def check_password(password: str, *, username: str = "", min_length: int = 10) -> None:
    """Raise ValueError with the Italian reason when `password` is not acceptable."""
    problem = password_problem(password, username=username, min_length=min_length)
    if problem:
        raise ValueError(problem)
