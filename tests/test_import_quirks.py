"""The corpus of real-world import quirks: each file, its exact expected outcome.

Each case loads one small file on top of a base portfolio (tests/factories.py) and checks the row
accounting (read, loaded, quarantined, duplicate), the values that reached the warehouse and the
reasons given for the rows set aside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.factories import load_base, load_text, reasons, rows


@dataclass
class Quirk:
    kind: str
    content: str | bytes
    counts: tuple[int, int, int, int]          # read, loaded, quarantined, duplicate
    query: str = ""
    expected: list[tuple] = field(default_factory=list)
    problems: list[tuple] = field(default_factory=list)   # (line, column, value, reason fragment)
    encoding: str = "utf-8"


UNIT_HEAD = "codice_alloggio;codice_edificio;regime;canone_mensile\n"
RENT_OF = "SELECT code, monthly_rent FROM unit WHERE code LIKE 'X%' ORDER BY code"
LEDGER = "codice_contratto;data;tipo;importo;voce;competenza\n"
LEDGER_Q = "SELECT entry_date, entry_type, amount, item, accrual_month FROM ledger_entry ORDER BY id"

QUIRKS = {
    "utf8_bom": Quirk("interventi", b"\xef\xbb\xbfcodice_intervento;nome;comune\nINT9;Citt\xc3\xa0 Studi;Milano\n",
                      (1, 1, 0, 0), "SELECT code, name FROM intervention WHERE code='INT9'", [("INT9", "Città Studi")]),
    "windows_1252_accents": Quirk("interventi", "codice_intervento;nome;comune\nINT9;Università Bicocca;Sesto S. Giovanni\n",
                                  (1, 1, 0, 0), "SELECT name FROM intervention WHERE code='INT9'",
                                  [("Università Bicocca",)], encoding="cp1252"),
    "windows_1252_euro_sign": Quirk("alloggi", UNIT_HEAD + "X1;E1;locazione_permanente;€ 1.234,56\n", (1, 1, 0, 0),
                                    RENT_OF, [("X1", 1234.56)], encoding="cp1252"),
    "comma_delimiter": Quirk("alloggi", 'codice_alloggio,codice_edificio,regime,canone_mensile\nX1,E1,altro,"450,50"\n',
                             (1, 1, 0, 0), RENT_OF, [("X1", 450.5)]),
    "tab_delimiter": Quirk("alloggi", "codice_alloggio\tcodice_edificio\tregime\tcanone_mensile\nX1\tE1\taltro\t1.234,56\n",
                           (1, 1, 0, 0), RENT_OF, [("X1", 1234.56)]),
    "italian_thousands": Quirk("alloggi", UNIT_HEAD + "X1;E1;altro;1.234,56\nX2;E1;altro;1234,56\nX3;E1;altro;12.345\n",
                               (3, 3, 0, 0), RENT_OF, [("X1", 1234.56), ("X2", 1234.56), ("X3", 12345.0)]),
    "currency_symbol": Quirk("alloggi", UNIT_HEAD + "X1;E1;altro;€ 1.234,56\nX2;E1;altro;1.234,56 €\nX3;E1;altro;EUR 99\n",
                             (3, 3, 0, 0), RENT_OF, [("X1", 1234.56), ("X2", 1234.56), ("X3", 99.0)]),
    "accounting_negative": Quirk("movimenti", LEDGER + "C1;15/02/2020;incasso;(12,00);;\n", (1, 0, 1, 0),
                                 problems=[(2, "importo", "(12,00)", "importo negativo o nullo")]),
    "negative_amount": Quirk("movimenti", LEDGER + "C1;15/02/2020;incasso;-1.234,56;;\nC1;16/02/2020;incasso;50;;\n",
                             (2, 1, 1, 0), problems=[(2, "importo", "-1.234,56", "importo negativo o nullo")]),
    "percent_points": Quirk("indicatori_contesto",
                            "codice_laboratorio;area;gruppo;indicatore;data_rilevazione;valore;unita\n"
                            "LAB1;Sant'Eusebio;trattamento;Nuclei morosi %;01/01/2015;3,4 %;pct\n"
                            "LAB1;Sant'Eusebio;trattamento;capi_scala_presenti;01/01/2015;sì;si_no\n",
                            (2, 2, 0, 0), "SELECT indicator, value FROM context_indicator ORDER BY indicator",
                            [("capi_scala_presenti", 1.0), ("nuclei_morosi_pct", 3.4)]),
    "dates_dd_mm_yyyy": Quirk("contratti", "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile\n"
                              "C9;A3;N1;31/12/2019;600\n", (1, 1, 0, 0),
                              "SELECT start_date FROM lease WHERE code='C9'", [("2019-12-31",)]),
    "dates_d_m_yy": Quirk("contratti", "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile\n"
                          "C9;A3;N1;1/2/24;600\n", (1, 1, 0, 0),
                          "SELECT start_date FROM lease WHERE code='C9'", [("2024-02-01",)]),
    "excel_serial_dates": Quirk("contratti", "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile\n"
                                "C9;A3;N1;45292;600\n", (1, 1, 0, 0),
                                "SELECT start_date FROM lease WHERE code='C9'", [("2024-01-01",)]),
    "blank_lines": Quirk("alloggi", UNIT_HEAD + "\nX1;E1;altro;100\n\n\nX2;E1;altro;200\n\n", (2, 2, 0, 0),
                         RENT_OF, [("X1", 100.0), ("X2", 200.0)]),
    "trailing_empty_columns": Quirk("alloggi", "codice_alloggio;codice_edificio;regime;canone_mensile;;;\n"
                                    "X1;E1;altro;100;;;\nX2;E1;altro;200;;;\n", (2, 2, 0, 0),
                                    RENT_OF, [("X1", 100.0), ("X2", 200.0)]),
    "duplicated_rows": Quirk("alloggi", UNIT_HEAD + "X1;E1;altro;100\nX1;E1;altro;100\nX2;E1;altro;200\n",
                             (3, 2, 0, 1), RENT_OF, [("X1", 100.0), ("X2", 200.0)]),
    "same_key_other_values": Quirk("alloggi", UNIT_HEAD + "X1;E1;altro;100\nX1;E1;altro;150\n", (2, 1, 1, 0),
                                   RENT_OF, [("X1", 100.0)],
                                   problems=[(3, "codice_alloggio", "X1", "chiave ripetuta nel file con valori diversi dalla riga 2")]),
    "unknown_parent": Quirk("contratti", "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile\n"
                            "C9;A404;N1;01/01/2024;600\n", (1, 0, 1, 0),
                            problems=[(2, "codice_alloggio", "A404", "codice sconosciuto")]),
    "impossible_date": Quirk("contratti", "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile\n"
                             "C9;A3;N1;31/02/2024;600\n", (1, 0, 1, 0),
                             problems=[(2, "data_inizio", "31/02/2024", "data non valida")]),
    "date_before_1950": Quirk("contratti", "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile\n"
                              "C9;A3;N1;01/01/1900;600\n", (1, 0, 1, 0),
                              problems=[(2, "data_inizio", "01/01/1900", "data precedente al 01/01/1950")]),
    "far_future_date": Quirk("movimenti", LEDGER + "C1;01/01/2999;incasso;50;;\n", (1, 0, 1, 0),
                             problems=[(2, "data", "01/01/2999", "troppo nel futuro")]),
    "end_before_start": Quirk("contratti", "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;data_fine;canone_mensile\n"
                              "C9;A3;N1;01/03/2024;01/02/2024;600\n", (1, 0, 1, 0),
                              problems=[(2, "data_fine", "01/02/2024", "data precedente a «data_inizio»")]),
    "extra_columns": Quirk("alloggi", "codice_alloggio;codice_edificio;regime;canone_mensile;colore_porta;piano\n"
                           "X1;E1;altro;100;verde;3\n", (1, 1, 0, 0), RENT_OF, [("X1", 100.0)]),
    "header_case_and_accents": Quirk("alloggi", "CODICE ALLOGGIO;Codice-Edificio;Régime;Canone Mensile (€)\n"
                                     "X1;E1;Locazione Permanente;100\n", (1, 1, 0, 0),
                                     "SELECT code, tenure FROM unit WHERE code='X1'", [("X1", "locazione_permanente")]),
    "header_aliases": Quirk("alloggi", "Cod. Alloggio;Stabile;Tipo locazione;Canone\nX1;E1;a termine;100\n", (1, 1, 0, 0),
                            "SELECT code, building_code, tenure FROM unit WHERE code='X1'", [("X1", "E1", "locazione_termine")]),
    "truncated_last_line": Quirk("alloggi", UNIT_HEAD + "X1;E1;altro;100\nX2;E1", (2, 1, 1, 0), RENT_OF, [("X1", 100.0)],
                                 problems=[(3, "regime", None, "campo obbligatorio vuoto")]),
    "too_many_fields": Quirk("alloggi", UNIT_HEAD + "X1;E1;altro;100;oops\n", (1, 0, 1, 0),
                             problems=[(2, "(oltre l'ultima colonna)", "1 campo in più", "più campi dell'intestazione")]),
    "utf16_unicode_text": Quirk("interventi", "\ufeffcodice_intervento\tnome\tcomune\r\nINT9\tCittà Studi\tMilano\r\n"
                                "INT8\tQuarto Oggiaro\tMilano\r\n", (2, 2, 0, 0),
                                "SELECT code, name FROM intervention WHERE code IN ('INT8', 'INT9') ORDER BY code",
                                [("INT8", "Quarto Oggiaro"), ("INT9", "Città Studi")], encoding="utf-16-le"),
    "mixed_utf8_and_cp1252_lines": Quirk("interventi", b"codice_intervento;nome;comune\n"
                                         + "INT9;Città Studi;Milano\n".encode()
                                         + "INT8;Università;Sesto S. Giovanni\n".encode("cp1252"), (2, 2, 0, 0),
                                         "SELECT code, name FROM intervention WHERE code IN ('INT8', 'INT9') ORDER BY code",
                                         [("INT8", "Università"), ("INT9", "Città Studi")]),
    "first_row_far_wider_than_header": Quirk("alloggi", UNIT_HEAD + "X1;E1;altro;100" + ";x" * 40 + "\nX2;E1;altro;200\n",
                                             (2, 1, 1, 0), RENT_OF, [("X2", 200.0)],
                                             problems=[(2, "(oltre l'ultima colonna)", "40 campi in più",
                                                        "più campi dell'intestazione")]),
    "quoted_line_break_keeps_line_numbers": Quirk(
        "edifici", 'codice_edificio;codice_intervento;indirizzo\nE8;INT1;"Via Roma 1\nscala B"\nE9;INT404;Via Po 2\n',
        (2, 1, 1, 0), "SELECT address FROM building WHERE code='E8'", [("Via Roma 1\nscala B",)],
        problems=[(4, "codice_intervento", "INT404", "codice sconosciuto")]),
    "quoted_delimiter_and_crlf": Quirk("edifici", 'codice_edificio;codice_intervento;indirizzo\r\nE9;INT1;"Via Roma; 12"\r\n',
                                       (1, 1, 0, 0), "SELECT address FROM building WHERE code='E9'", [("Via Roma; 12",)]),
    "yes_no_words": Quirk("nuclei", "codice_nucleo;in_carico_servizi_sociali\nN7;sì\nN8;X\nN9;no\nN10;\nN11;forse\n",
                          (5, 4, 1, 0), "SELECT code, social_services FROM household WHERE code IN ('N7','N8','N9','N10') ORDER BY code",
                          [("N10", False), ("N7", True), ("N8", True), ("N9", False)],
                          problems=[(6, "in_carico_servizi_sociali", "forse", "sì/no non riconosciuto")]),
    "month_formats": Quirk("movimenti", LEDGER + "C1;10/01/2024;addebito;450;canone;gennaio 2024\n"
                           "C1;10/02/2024;addebito;450;canone;2024-02\nC1;10/03/2024;addebito;450;canone;03/2024\n",
                           (3, 3, 0, 0), "SELECT accrual_month FROM ledger_entry ORDER BY id",
                           [("2024-01-01",), ("2024-02-01",), ("2024-03-01",)]),
    "two_equal_payments_one_day": Quirk("movimenti", LEDGER + "C1;15/02/2020;incasso;200,00;;\nC1;15/02/2020;incasso;200,00;;\n",
                                        (2, 2, 0, 0), LEDGER_Q, [("2020-02-15", "incasso", 200.0, "altro", "2020-02-01")] * 2),
    "dot_decimal_file": Quirk("alloggi", UNIT_HEAD + "X1;E1;altro;1234.56\nX2;E1;altro;99.5\n", (2, 2, 0, 0),
                              RENT_OF, [("X1", 1234.56), ("X2", 99.5)]),
    "unknown_enum_value": Quirk("alloggi", UNIT_HEAD + "X1;E1;villa al mare;100\n", (1, 0, 1, 0),
                                problems=[(2, "regime", "villa al mare", "valore non ammesso")]),
}


@pytest.fixture
def base(tmp_path, sqlite_engine):
    from osservatorio.settings import Settings

    settings = Settings(database_url=str(sqlite_engine.url), pseudonym_key="chiave-di-test", chunk_rows=1_000)
    load_base(tmp_path, engine=sqlite_engine, settings=settings)
    return sqlite_engine, settings


def _normalise(value):
    return str(value)[:10] if hasattr(value, "isoformat") else value


@pytest.mark.parametrize("name", sorted(QUIRKS))
def test_quirk(name, base, tmp_path):
    engine, settings = base
    quirk = QUIRKS[name]
    result = load_text(tmp_path, quirk.kind, quirk.content, engine=engine, settings=settings, encoding=quirk.encoding)
    assert (result.read, result.loaded, result.quarantined, result.duplicate) == quirk.counts, result
    assert result.status == ("completato" if quirk.counts[2] == 0 else "con_scarti")
    if quirk.query:
        got = [tuple(_normalise(v) for v in r) for r in rows(engine, quirk.query)]
        assert got == quirk.expected
    problems = reasons(engine, result.batch_id)
    assert len(problems) == len(quirk.problems), problems
    for (line, column, value, reason), expected in zip(problems, quirk.problems):
        assert (line, column, value) == expected[:3]
        assert expected[3] in reason


def test_corpus_is_large_enough():
    assert len(QUIRKS) >= 25
