"""Files made to hurt: personal data where it does not belong, damaged lines in a large file, values the schema
forbids, keys that change. On SQLite and PostgreSQL, each with its exact expected outcome."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text

from etl.pseudonym import key_fingerprint
from osservatorio.settings import DEMO_PSEUDONYM_KEY, Settings
from tests.factories import load_base, load_text, reasons, write

SPOUSE_CF, TENANT_CF, HIDDEN_CF = "BNCGNN60C41F205K", "SPRLRA85M52F205U", "QGLFNC70A01H501Z"
NAMES = ("Sperandeo", "Quagliarella", "Ottavina")
PHONES = ("3471234567", "02 87654321", "+39 333 7654321")
EMAIL = "laura.sperandeo@example.it"
CF_BYTES = re.compile(rb"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]", re.I)


def hostile_files() -> dict[str, str]:
    """Personal data in unknown columns, beyond the header, in free text and as a header: rows loaded and rows
    quarantined (N9 has a bad number of members, C8 an unknown unit)."""
    return {
        "nuclei": "codice_nucleo;codice_fiscale;nominativo;componenti;codice_fiscale_coniuge;telefono\n"
                  f"N7;{TENANT_CF};Laura {NAMES[0]};3;{SPOUSE_CF};{PHONES[0]}\n"
                  f"N9;{TENANT_CF};Laura {NAMES[0]};tanti;{SPOUSE_CF};{PHONES[1]}\n"
                  f"N8;;;2;;;{HIDDEN_CF};{NAMES[2]}\n",
        "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile;inquilino\n"
                     f"C7;A3;N7;01/01/2024;600;Franco {NAMES[1]}\n"
                     f"C8;A404;N7;01/01/2024;600;Franco {NAMES[1]}\n",
        "pratiche_morosita": "codice_pratica;codice_contratto;data;evento;note\n"
                             f"P1;C7;01/03/2024;apertura;chiamare al {PHONES[2]} o scrivere a {EMAIL}\n"
                             f"P2;C7;01/03/2024;chissà;CF del garante {HIDDEN_CF}, tel. {PHONES[0]}\n",
    }


def _secrets() -> list[bytes]:
    digits = [re.sub(r"\D", "", p)[-9:] for p in PHONES]
    return [n.encode() for n in NAMES] + [d.encode() for d in digits] + [EMAIL.encode()]


def _all_text(engine) -> str:
    """Every value of every table of the warehouse, as one text (PostgreSQL: no file to grep)."""
    parts = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join("" if v is None else str(v) for v in row))
    return "\n".join(parts)


def test_personal_data_never_reaches_the_warehouse(tmp_path, engine, settings, warehouse_url):
    load_base(tmp_path, engine=engine, settings=settings)
    got = {kind: load_text(tmp_path, kind, content, engine=engine, settings=settings)
           for kind, content in hostile_files().items()}
    assert [(r.read, r.loaded, r.quarantined) for r in got.values()] == [(3, 1, 2), (2, 1, 1), (2, 1, 1)]
    headless = load_text(tmp_path, "nuclei", f"{HIDDEN_CF};Franco {NAMES[1]};{PHONES[0]}\nN5;;\n",
                         engine=engine, settings=settings, name="senza_intestazione.csv")
    assert headless.status == "rifiutato" and "La prima riga contiene dati personali" in headless.message
    with engine.connect() as conn:
        raw = dict(conn.execute(text("SELECT line, raw FROM quarantined_row WHERE batch_id = :b"),
                                {"b": got["nuclei"].batch_id}).all())
    assert raw[3].split(";")[:4] == ["N9", raw[3].split(";")[1], raw[3].split(";")[2], "tanti"]
    assert raw[3].split(";")[1].startswith("[pseudonimo ") and raw[3].split(";")[4:] == ["[omesso]", "[omesso]"]
    assert raw[4] == "N8;;;2;…[2 campi oltre l'intestazione, non conservati]"
    assert got["pratiche_morosita"].message.endswith("tolti da 2 celle di testo libero.")
    engine.dispose()
    everything = _all_text(engine).encode()
    if warehouse_url.startswith("sqlite"):
        path = warehouse_url.removeprefix("sqlite:///")
        everything += b"".join(open(p, "rb").read() for p in (path, path + "-wal") if __import__("os").path.exists(p))
    assert CF_BYTES.findall(everything) == []
    assert [s for s in _secrets() if s in everything] == []
    assert b"[telefono omesso]" in everything and b"[email omessa]" in everything


@pytest.mark.parametrize("damaged", [(1,), (2,), ("last",), (1, 2, "last")])
def test_every_line_of_a_large_damaged_file_is_accounted_for(tmp_path, engine, settings, damaged):
    """The first data row far wider than the header once lost the whole file ("letti 1, in quarantena 1")."""
    load_base(tmp_path, engine=engine, settings=settings)
    n = 6_000
    body = [f"C1;{1 + i % 28:02d}/{1 + i // 28 % 12:02d}/2023;addebito;{100 + i},00;canone" for i in range(n)]
    bad = {1: body[0] + ";x" * 40, 2: "C1;15/02/2023;addebito;dodici;canone", "last": "C1;15/02/2023;addebito"}
    lines = {1: 0, 2: 1, "last": n - 1}
    for which in damaged:
        body[lines[which]] = bad[which]
    result = load_text(tmp_path, "movimenti", "codice_contratto;data;tipo;importo;voce\n" + "\n".join(body) + "\n",
                       engine=engine, settings=settings)
    assert (result.read, result.loaded, result.quarantined, result.duplicate) == (n, n - len(damaged), len(damaged), 0)
    expected = {1: (2, "(oltre l'ultima colonna)", "40 campi in più"), 2: (3, "importo", "dodici"),
                "last": (n + 1, "importo", None)}
    assert [p[:3] for p in reasons(engine, result.batch_id)] == sorted(expected[d] for d in damaged)


FORBIDDEN = {
    "code_of_10_kb": ("alloggi", "codice_alloggio;codice_edificio;regime\n" + "X" * 10_000 + ";E1;altro\nX2;E1;altro\n",
                      "codice_alloggio", "testo troppo lungo: al massimo 60 caratteri"),
    "nul_in_a_key": ("alloggi", "codice_alloggio;codice_edificio;regime\nX\x001;E1;altro\nX2;E1;altro\n",
                     "codice_alloggio", "carattere di controllo non ammesso"),
    "amount_of_1e23": ("movimenti", "codice_contratto;data;tipo;importo\nC1;15/02/2023;incasso;1" + "0" * 23 +
                       "\nC1;16/02/2023;incasso;50\n", "importo", "importo fuori scala"),
    "members_beyond_integers": ("nuclei", "codice_nucleo;componenti\nN7;99999999999999999999\nN8;2\n",
                                "componenti", "numero intero non leggibile o fuori scala"),
    "rent_beyond_numeric_14_2": ("alloggi", "codice_alloggio;codice_edificio;regime;canone_mensile\n"
                                 "X1;E1;altro;5000000000000\nX2;E1;altro;450\n", "canone_mensile", "importo fuori scala"),
    "key_longer_than_row_key": ("attivita_laboratorio", f"codice_laboratorio;data;tipo_attivita;ambito;titolo\n"
                                f"{'L' * 80};01/03/2024;orientamento_lavoro;rappresentanza;{'T' * 300}\n{'L' * 80};"
                                "01/03/2024;corso;rappresentanza;Corso breve\n", "titolo", "chiave troppo lunga"),
}


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_values_the_schema_forbids_are_quarantined_alike_on_both_backends(name, tmp_path, engine, settings):
    kind, content, column, reason = FORBIDDEN[name]
    load_base(tmp_path, engine=engine, settings=settings)
    assert load_text(tmp_path, "laboratori", f"codice_laboratorio;titolo;comune\n{'L' * 80};Lungo;Milano\n",
                     engine=engine, settings=settings).ok
    result = load_text(tmp_path, kind, content, engine=engine, settings=settings)
    assert (result.status, result.read, result.loaded, result.quarantined) == ("con_scarti", 2, 1, 1), result
    [(line, col, value, why)] = reasons(engine, result.batch_id)
    assert (line, col) == (2, column) and why.startswith(reason)
    assert value is None or len(value) < 260


def test_demo_key_refused_for_personal_data_outside_the_demo(tmp_path, engine, warehouse_url):
    demo = Settings(database_url=warehouse_url, pseudonym_key=DEMO_PSEUDONYM_KEY, chunk_rows=1_000)
    refused = load_text(tmp_path, "nuclei", "codice_nucleo;codice_fiscale\nN7;" + TENANT_CF + "\n", engine=engine,
                        settings=demo)
    assert refused.status == "rifiutato" and refused.read == 0
    assert "«codice_fiscale») e la chiave di pseudonimizzazione è quella dimostrativa" in refused.message
    no_personal = load_text(tmp_path, "nuclei", "codice_nucleo;componenti\nN7;3\n", engine=engine, settings=demo)
    assert no_personal.ok
    in_demo = load_text(tmp_path, "nuclei", "codice_nucleo;codice_fiscale\nN7;" + TENANT_CF + "\n", engine=engine,
                        settings=demo.model_copy(update={"demo": True}))
    assert in_demo.ok and in_demo.loaded == 1


def test_a_changed_key_is_refused_and_the_fingerprint_never_reveals_the_key(tmp_path, engine, warehouse_url):
    first = Settings(database_url=warehouse_url, pseudonym_key="prima-chiave-segreta", chunk_rows=1_000)
    other = Settings(database_url=warehouse_url, pseudonym_key="seconda-chiave-segreta", chunk_rows=1_000)
    nuclei = "codice_nucleo;codice_fiscale\nN7;" + TENANT_CF + "\n"
    assert load_text(tmp_path, "nuclei", nuclei, engine=engine, settings=first).ok
    changed = load_text(tmp_path, "nuclei", nuclei.replace("N7", "N8"), engine=engine, settings=other)
    assert changed.status == "rifiutato"
    assert (f"(impronta {key_fingerprint(b'prima-chiave-segreta')[:12]}, quella attuale "
            f"{key_fingerprint(b'seconda-chiave-segreta')[:12]})") in changed.message
    assert load_text(tmp_path, "interventi", "codice_intervento;nome;comune\nINT7;Vivi Voltri;Milano\n", engine=engine,
                     settings=other).ok  # no personal data: the key plays no part
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT kind, status, personal_data, key_fingerprint FROM load_batch ORDER BY id")).all()
        households = conn.execute(text("SELECT code FROM household ORDER BY code")).scalars().all()
    assert [(k, s, bool(p)) for k, s, p, _ in stored] == [("nuclei", "completato", True), ("nuclei", "rifiutato", False),
                                                         ("interventi", "completato", False)]
    assert stored[0][3] == key_fingerprint(b"prima-chiave-segreta") and len(stored[0][3]) == 64
    assert households == ["N7"]
    assert "prima-chiave-segreta" not in _all_text(engine)


def test_page_upload_refuses_personal_data_with_the_demo_key_and_caps_the_size(warehouse_url, monkeypatch):
    import streamlit as st

    from tests.test_pages import open_page, table, upload

    st.cache_data.clear()  # engines and cached frames of an earlier AppTest must not leak in
    st.cache_resource.clear()

    monkeypatch.delenv("OSSERVATORIO_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("OSSERVATORIO_DEMO", raising=False)
    monkeypatch.setenv("OSSERVATORIO_MAX_UPLOAD_MB", "7")
    at = open_page(warehouse_url, monkeypatch, "views/loads.py")
    assert at.file_uploader(key="upload_file").proto.max_upload_size_mb == 7
    upload(at, "nuclei.csv", f"codice_nucleo;codice_fiscale\nN7;{TENANT_CF}\n")
    at.button(key="upload_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "la chiave di pseudonimizzazione è quella dimostrativa" in at.error[0].value
    assert list(table(at, "Esito")["Esito"]) == [["rifiutato"]]


def test_cli_load_refuses_personal_data_with_the_demo_key(tmp_path, warehouse_url, monkeypatch):
    from typer.testing import CliRunner

    from osservatorio.cli import app
    from osservatorio.settings import get_settings

    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    monkeypatch.delenv("OSSERVATORIO_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("OSSERVATORIO_DEMO", raising=False)
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(app, ["load", "nuclei", str(write(tmp_path, "nuclei.csv",
                                                                   f"codice_nucleo;codice_fiscale\nN7;{TENANT_CF}\n"))])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 1
    assert "nuclei.csv [nuclei] rifiutato: letti 0, caricati 0" in out.output
    assert "è quella dimostrativa, che è pubblica. Impostare OSSERVATORIO_PSEUDONYM_KEY" in out.output
