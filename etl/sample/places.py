"""Where the sample's housing is: Milano's quartieri and its belt, their streets, and who owns and runs it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Comune:
    name: str
    weight: float  # share of the sample's interventions
    rent_factor: float  # local rent level against the area average
    population: int
    quartieri: dict[str, tuple[str, ...]]  # quartiere -> streets


COMUNI: tuple[Comune, ...] = (
    Comune("Milano", 0.40, 1.08, 1_371_000, {
        "Gratosoglio": ("Via dei Missaglia", "Via Saponaro", "Via Baroni"),
        "Quarto Oggiaro": ("Via Pascarella", "Via Lopez", "Via Graziano Imperatore"),
        "Corvetto": ("Via Mompiani", "Via dei Cinquecento", "Piazzale Gabrio Rosa"),
        "Giambellino": ("Via Giambellino", "Via Segneri", "Via Odazio"),
        "Niguarda": ("Viale Ca' Granda", "Via Val di Ledro", "Via Hermada"),
        "Figino": ("Via Gaetano Cenni", "Via Rasario", "Via Anselmo da Baggio"),
        "Barona": ("Via Ettore Ponti", "Via Santa Rita da Cascia", "Via Boffalora"),
        "Ponte Lambro": ("Via Ucelli di Nemi", "Via Serrati", "Via Vittorini"),
        "Adriano": ("Via Adriano", "Via Tremelloni", "Via Cascina Gobba"),
        "Bovisa": ("Via Candiani", "Via Cosenz", "Via Durando"),
        "Lorenteggio": ("Via Lorenteggio", "Via Manzano", "Via Inganni"),
        "Rogoredo": ("Via Rogoredo", "Via Medici del Vascello", "Via Sant'Arialdo"),
    }),
    Comune("Sesto San Giovanni", 0.12, 0.97, 81_000, {
        "Rondò": ("Viale Fulvio Testi", "Via Carlo Marx", "Via Gramsci"),
        "Parpagliona": ("Via Giosuè Carducci", "Via Fratelli Cervi", "Via Tonale"),
        "Cascina Gatti": ("Via Edison", "Via General Cantore", "Via Marelli"),
        "Torretta": ("Via Risorgimento", "Via Rovani", "Via Livorno"),
    }),
    Comune("Cinisello Balsamo", 0.10, 0.95, 75_855, {
        "Sant'Eusebio": ("Via Sant'Eusebio", "Via Cilea", "Via Mozart"),
        "Crocetta": ("Via Alberto da Giussano", "Via Guardi", "Via Martiri della Libertà"),
        "Borgomisto": ("Via Niccolò Tommaseo", "Via Friuli", "Via Verdi"),
    }),
    Comune("Rozzano", 0.08, 0.92, 42_000, {
        "Quartiere dei Fiori": ("Via Garofani", "Via Gerani", "Via Lillà"),
        "Ponte Sesto": ("Via Roma", "Via Monte Amiata", "Viale Toscana"),
    }),
    Comune("Cologno Monzese", 0.08, 0.94, 47_000, {
        "San Maurizio al Lambro": ("Via Pirandello", "Via Cavallotti", "Via Boccaccio"),
        "Stella": ("Corso Roma", "Via Mazzini", "Via Indipendenza"),
    }),
    Comune("Segrate", 0.06, 1.02, 36_000, {
        "Redecesio": ("Via Redecesio", "Via Modigliani", "Via Tiepolo"),
        "Rovagnasco": ("Via Rovagnasco", "Via Morandi", "Via Cassanese"),
    }),
    Comune("Bollate", 0.06, 0.93, 36_000, {
        "Cascina del Sole": ("Via Vittorio Emanuele", "Via Repubblica", "Via Pace"),
        "Ospiate": ("Via Ospiate", "Via Magenta", "Via Verga"),
    }),
    Comune("Pioltello", 0.05, 0.90, 37_000, {
        "Satellite": ("Via Cimarosa", "Via Wagner", "Via Mozart"),
        "Seggiano": ("Via Roma", "Via Cavour", "Via Milano"),
    }),
    Comune("San Donato Milanese", 0.05, 1.00, 32_000, {
        "Certosa": ("Via Gramsci", "Via Libertà", "Via Di Vittorio"),
    }),
)

# Cadastral codes (codice Belfiore) of birthplaces, for the fake codici fiscali.
BIRTHPLACES_ITALY = {
    "Milano": "F205", "Sesto San Giovanni": "I690", "Cinisello Balsamo": "C707", "Rozzano": "H623",
    "Cologno Monzese": "C895", "Segrate": "I577", "Bollate": "A940", "Napoli": "F839", "Palermo": "G273",
    "Bari": "A662", "Foggia": "D643", "Catania": "C351", "Reggio Calabria": "H224", "Roma": "H501",
    "Lecce": "E506", "Cosenza": "D086", "Bergamo": "A794", "Brescia": "B157", "Torino": "L219",
}

SGR_FUNDS: tuple[tuple[str, str, float], ...] = (  # (SGR, fund, share of interventions)
    ("Lombarda Abitare SGR S.p.A.", "Fondo Abitare Sociale Milano 1", 0.34),
    ("Lombarda Abitare SGR S.p.A.", "Fondo Abitare Sociale Milano 2", 0.22),
    ("Residenze Future SGR S.p.A.", "FIA Housing Sociale Lombardia", 0.30),
    ("Residenze Future SGR S.p.A.", "FIA Città Metropolitana Solidale", 0.14),
)

GESTORE = "Abitare Insieme Società Cooperativa Edilizia"

NAME_PATTERNS = (
    "Abitare a {q}", "Corte {q}", "Residenze {q}", "Borgo {q}", "Comunità {q}", "Cascina {q}",
    "Housing Sociale {q}", "Città Solidale {q}", "Case di {q}", "Condominio Solidale {q}", "Villaggio {q}",
)
