"""Fake people for the sample: Italian-looking names and syntactically valid codici fiscali.

They are personal data on purpose: the importer must pseudonymise them at load.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from etl.sample.places import BIRTHPLACES_ITALY

SURNAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
    "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
    "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
    "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini",
    "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina", "Rizzi", "Monti",
    "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino", "Carbone", "Giuliani",
)
MALE_NAMES = (
    "Giuseppe", "Giovanni", "Antonio", "Mario", "Luigi", "Francesco", "Angelo", "Vincenzo", "Pietro", "Salvatore",
    "Carlo", "Franco", "Domenico", "Bruno", "Paolo", "Michele", "Giorgio", "Aldo", "Sergio", "Luciano",
    "Marco", "Andrea", "Alessandro", "Luca", "Matteo", "Davide", "Simone", "Stefano", "Roberto", "Nicola",
)
FEMALE_NAMES = (
    "Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia", "Carmela", "Caterina",
    "Francesca", "Antonietta", "Carla", "Elena", "Concetta", "Rita", "Margherita", "Franca", "Paola", "Laura",
    "Giulia", "Chiara", "Sara", "Federica", "Valentina", "Silvia", "Alessandra", "Martina", "Elisa", "Roberta",
)
# (country cadastral code, surnames, male names, female names): households born abroad.
FOREIGN = (
    ("Z330", ("El Amrani", "Benali", "Ouahbi", "Chakir"), ("Mohamed", "Youssef", "Rachid"),
     ("Fatima", "Khadija", "Amina")),
    ("Z129", ("Popescu", "Ionescu", "Dumitru", "Stan"), ("Ion", "Mihai", "Andrei"), ("Elena", "Ioana", "Maria")),
    ("Z216", ("Santos", "Reyes", "Cruz", "Bautista"), ("Jose", "Mark", "Ramon"), ("Maricel", "Rowena", "Jocelyn")),
    ("Z336", ("Hassan", "Mahmoud", "Ibrahim", "Abdelaziz"), ("Ahmed", "Mostafa", "Karim"), ("Mona", "Heba", "Nadia")),
    ("Z611", ("Quispe", "Huaman", "Flores", "Mendoza"), ("Luis", "Carlos", "Jorge"), ("Rosa", "Carmen", "Gladys")),
    ("Z100", ("Hoxha", "Shehu", "Gjoka", "Leka"), ("Arben", "Ilir", "Gentian"), ("Elona", "Blerina", "Mirela")),
    ("Z343", ("Diop", "Ndiaye", "Fall", "Sow"), ("Mamadou", "Cheikh", "Moussa"), ("Awa", "Fatou", "Aminata")),
    ("Z210", ("Hu", "Zhou", "Chen", "Wang"), ("Wei", "Jian", "Ming"), ("Li", "Xiu", "Mei")),
)
ITALIAN_BIRTHPLACES = tuple(BIRTHPLACES_ITALY.values())

_MONTH_LETTERS = "ABCDEHLMPRST"
_ODD_VALUES = dict(zip(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14,
     16, 10, 22, 25, 24, 23),
))
_EVEN_VALUES = {**{str(d): d for d in range(10)}, **{chr(65 + i): i for i in range(26)}}
_VOWELS = set("AEIOU")


def _letters(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return "".join(ch for ch in plain if ch.isalpha())


def _surname_code(surname: str) -> str:
    letters = _letters(surname)
    consonants = [c for c in letters if c not in _VOWELS]
    vowels = [c for c in letters if c in _VOWELS]
    return ("".join(consonants + vowels) + "XXX")[:3]


def _name_code(name: str) -> str:
    letters = _letters(name)
    consonants = [c for c in letters if c not in _VOWELS]
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    return _surname_code(name)


def check_character(first15: str) -> str:
    """The control character of a codice fiscale from its first 15 characters."""
    total = sum((_ODD_VALUES if i % 2 == 0 else _EVEN_VALUES)[ch] for i, ch in enumerate(first15))
    return chr(65 + total % 26)


def codice_fiscale(surname: str, name: str, birth: date, female: bool, birthplace: str) -> str:
    """A syntactically valid codice fiscale (16 characters, control character included)."""
    day = birth.day + (40 if female else 0)
    body = (f"{_surname_code(surname)}{_name_code(name)}{birth.year % 100:02d}"
            f"{_MONTH_LETTERS[birth.month - 1]}{day:02d}{birthplace}")
    return body + check_character(body)
