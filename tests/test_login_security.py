"""Password guessing: backoff and lock per user name and per client, the password policy, user names, and what
the audit log keeps of a failed sign-in. The clock is a parameter: nothing here sleeps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from osservatorio import accounts, audit
from osservatorio.accounts import AccountError, LoginRefused
from osservatorio.passwords import password_problem
from schemas.access import AppUser, LoginThrottle

PASSWORD = "una-password-lunga"
T0 = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)


class Clock:
    """A fake clock: `clock()` is now, `clock.tick(seconds)` moves it on."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> Clock:
        self.now += timedelta(seconds=seconds)
        return self


@pytest.fixture
def clock():
    return Clock()


def sign_in(engine, clock, name, password, *, client=None):
    """authenticate at the fake clock's time: the User, None (wrong password) or the LoginRefused raised."""
    try:
        return accounts.authenticate(engine, name, password, client=client, now=clock())
    except LoginRefused as refused:
        return refused


def test_backoff_doubles_after_each_failure_and_five_failures_lock_for_fifteen_minutes(engine, clock):
    accounts.add_user(engine, "anna", PASSWORD, "admin")
    waits = []
    for _ in range(4):
        assert sign_in(engine, clock, "anna", "sbagliata-1") is None
        refused = sign_in(engine, clock, "anna", PASSWORD)  # at once, even the right password waits
        assert isinstance(refused, LoginRefused) and not refused.locked
        waits.append((refused.until - clock()).total_seconds())
        clock.tick(waits[-1])
    assert waits == [1, 2, 4, 8]
    assert sign_in(engine, clock, "anna", "sbagliata-5") is None  # the fifth failure in 15 minutes
    locked = sign_in(engine, clock.tick(60), "anna", PASSWORD)
    assert isinstance(locked, LoginRefused) and locked.locked
    assert locked.until == T0 + timedelta(seconds=15) + timedelta(minutes=15)
    assert "accesso sospeso, riprovare tra 14 minuti" in str(locked)
    clock.now = locked.until
    assert sign_in(engine, clock, "anna", PASSWORD).username == "anna"


def test_fifty_quick_guesses_check_only_one_password(engine, clock):
    """The measured attack: 50 wrong passwords 92 ms apart, then the right one.

    Tries at 0.092 s, 1.104 s (1 s after the first) and 3.128 s (2 s after the second) are checked; the next
    would be allowed at 7.128 s, after the 4.692 s the attack lasts. The other 47, and the right one, are not.
    """
    accounts.add_user(engine, "anna", PASSWORD, "admin")
    outcomes = [sign_in(engine, clock.tick(0.092), "anna", f"tentativo-{i:02d}") for i in range(50)]
    assert [i for i, o in enumerate(outcomes) if o is None] == [0, 11, 33]
    assert sum(isinstance(o, LoginRefused) for o in outcomes) == 47
    assert isinstance(sign_in(engine, clock.tick(0.092), "anna", PASSWORD), LoginRefused)
    log = audit.recent(engine)
    assert log["action"].value_counts().to_dict() == {"login_respinto": 48, "login_fallito": 3}


def test_locks_grow_and_a_success_or_the_administrator_clears_them(engine, clock):
    accounts.add_user(engine, "anna", PASSWORD, "admin")

    def five_failures():
        for _ in range(5):
            assert sign_in(engine, clock, "anna", "sbagliata") is None
            clock.tick(30)  # past every backoff, within the 15-minute window

    five_failures()
    first = sign_in(engine, clock, "anna", PASSWORD)
    clock.now = first.until
    five_failures()
    second = sign_in(engine, clock, "anna", PASSWORD)
    assert second.locked and second.until - (clock() - timedelta(seconds=30)) == timedelta(minutes=30)
    states = [accounts.state_text(u) for u in accounts.list_users(engine, now=clock())]
    assert states == ["sospeso fino al 06/12/2026 09:49 UTC"]  # fifth failure of the second round 09:19, + 30 min
    accounts.enable_user(engine, "anna")  # `users enable` lifts the lock
    assert [accounts.state_text(u) for u in accounts.list_users(engine, now=clock())] == ["attivo"]
    with engine.connect() as conn:
        assert conn.execute(select(LoginThrottle.key)).all() == []
    for _ in range(4):
        assert sign_in(engine, clock, "anna", "sbagliata") is None
        clock.tick(30)
    assert sign_in(engine, clock, "anna", PASSWORD).username == "anna"
    with engine.connect() as conn:  # a success forgets the failures and the locks in a row
        assert conn.execute(select(LoginThrottle.failures, LoginThrottle.lock_count,
                                   LoginThrottle.locked_until)).one() == (0, 0, None)


def test_a_client_guessing_many_names_is_locked_and_other_clients_are_not(engine, clock):
    accounts.add_user(engine, "anna", PASSWORD, "admin")
    for i in range(20):  # password spraying: one try per name, so no user name reaches its own limit
        assert sign_in(engine, clock, f"utente{i}", "estate2024!", client="203.0.113.7") is None
        clock.tick(31)
    refused = sign_in(engine, clock, "anna", PASSWORD, client="203.0.113.7")
    assert isinstance(refused, LoginRefused) and refused.locked
    assert sign_in(engine, clock, "anna", PASSWORD, client="198.51.100.2").username == "anna"
    locks = audit.recent(engine, action=audit.LOCKED)
    assert len(locks) == 1 and locks["detail"].iloc[0].startswith("client sospeso fino al 06/12/2026 09:")
    with engine.connect() as conn:
        keys = [k for (k,) in conn.execute(select(LoginThrottle.key))]
    assert not any("203.0.113.7" in k or "utente1" in k for k in keys), "keys are keyed hashes"


def test_unknown_names_are_throttled_like_real_ones(engine, clock):
    """Otherwise the lock message would tell which names exist."""
    for _ in range(5):
        assert sign_in(engine, clock, "nessuno", "sbagliata") is None
        clock.tick(30)
    assert isinstance(sign_in(engine, clock, "nessuno", "sbagliata"), LoginRefused)


def test_a_failed_sign_in_never_stores_the_typed_text(engine, clock):
    accounts.add_user(engine, "anna", PASSWORD, "admin")
    assert sign_in(engine, clock, "anna", "sbagliata-1") is None
    clock.tick(5)
    assert sign_in(engine, clock, "  anna  ", "sbagliata-2", client="192.0.2.1") is None  # padded: still anna
    clock.tick(5)
    assert sign_in(engine, clock, "una-password-lunga", "anna", client="192.0.2.1") is None  # boxes swapped
    clock.tick(5)
    assert sign_in(engine, clock, "una-password-lunga", "anna") is None
    log = audit.recent(engine).iloc[::-1]
    assert log["username"].tolist() == ["anna", "anna", "utente sconosciuto", "utente sconosciuto"]
    assert log["detail"].iloc[0] == "password" and log["detail"].iloc[1] == "password · client 192.0.2.1"
    third, fourth = log["detail"].iloc[2], log["detail"].iloc[3]
    assert third.startswith("password · nome digitato #") and third.endswith(" · client 192.0.2.1")
    assert fourth.split(" · ")[1] == third.split(" · ")[1], "the same typed text gives the same keyed hash"
    everything = " ".join(str(v) for v in log.to_numpy().ravel())
    assert PASSWORD not in everything and "sbagliata" not in everything


def test_a_user_changes_their_password_and_an_administrator_resets_and_enables(engine, clock):
    user = accounts.add_user(engine, "anna", PASSWORD, "admin")
    kept = accounts.start_session(engine, user, hours=8)
    other = accounts.start_session(engine, user, hours=8)
    with pytest.raises(AccountError, match="password attuale non è corretta"):
        accounts.change_password(engine, "anna", "sbagliata", "tram-limone-cortile-dieci", now=clock())
    with pytest.raises(AccountError, match="tra le più comuni"):
        accounts.change_password(engine, "anna", PASSWORD, "Password2026!", now=clock.tick(5).now)
    accounts.change_password(engine, "anna", PASSWORD, "ombrello-viola-marzo", keep_token=kept, now=clock.tick(5).now)
    assert accounts.session_user(engine, kept).username == "anna" and accounts.session_user(engine, other) is None
    assert sign_in(engine, clock.tick(5), "anna", "ombrello-viola-marzo").username == "anna"
    accounts.reset_password(engine, "anna", "quaderno-tiepido-ponte")
    assert accounts.session_user(engine, kept) is None, "a reset ends every session"
    accounts.disable_user(engine, "anna")
    assert sign_in(engine, clock.tick(5), "anna", "quaderno-tiepido-ponte") is None
    assert accounts.enable_user(engine, "anna").username == "anna"
    assert sign_in(engine, clock.tick(5), "anna", "quaderno-tiepido-ponte").username == "anna"
    actions = audit.recent(engine)["action"].tolist()[::-1]
    assert [a for a in actions if a in ("password_cambiata", "utente_disattivato", "utente_riabilitato")] == [
        "password_cambiata", "password_cambiata", "utente_disattivato", "utente_riabilitato"]


POLICY = [  # password, user name, the reason (None: accepted)
    ("aaaaaaaaaa", "anna", "non può ripetere un solo carattere"),
    ("1234567890", "anna", "troppo facile da indovinare: è una delle password più usate al mondo"),
    ("password12", "anna", "tra le più comuni"),
    (" " * 10, "anna", "solo di spazi"),
    ("corta", "anna", "almeno 10 caratteri (ne ha 5)"),
    ("x" * 129 + "y", "anna", "al più 128 caratteri"),
    ("mario.rossi2024", "mario.rossi", "il nome utente con poche aggiunte"),
    ("2024issor.oiram", "mario.rossi", "il nome utente con poche aggiunte"),
    ("Juventus1897", "anna", "tra le più comuni"),
    ("forzainter2026", "anna", "tra le più comuni"),
    ("qwertyuiop", "anna", "tra le più comuni"),
    ("abcabcabcabc", "anna", "le ripetizioni come «abcabc»"),
    ("tram-limone-cortile-nove", "anna", "tra le più comuni"),  # the example of the message itself
    ("sgr-demo-2026", "sgr", None),  # the demo's passwords
    ("tram-limone-cortile-dieci", "anna", None),
    ("ombrello-viola-marzo", "anna", None),
    ("Cinque gatti sul tetto!", "anna", None),
]


@pytest.mark.parametrize("password, username, reason", POLICY)
def test_password_policy(password, username, reason):
    problem = password_problem(password, username=username, min_length=10)
    if reason is None:
        assert problem is None
    else:
        assert problem is not None and reason in problem, problem


@pytest.mark.parametrize("typed, stored", [("anna", "anna"), ("  m.rossi_2 ", "m.rossi_2"), ("A-1", "A-1")])
def test_user_names_are_stripped(engine, typed, stored):
    assert accounts.add_user(engine, typed, PASSWORD, "admin").username == stored


@pytest.mark.parametrize("typed", ["", "   ", "anna rossi", "-anna", "anna;", "nicolò", "a" * 81, "x'OR'1'='1"])
def test_bad_user_names_are_refused(engine, typed):
    with pytest.raises(AccountError, match="nome utente"):
        accounts.add_user(engine, typed, PASSWORD, "admin")
    with engine.connect() as conn:
        assert conn.execute(select(AppUser)).all() == []


def test_a_user_named_before_the_rule_still_signs_in(engine, clock):
    from datetime import datetime as dt

    from sqlalchemy import insert

    with engine.begin() as conn:  # made by an earlier version, which took any name
        conn.execute(insert(AppUser).values(username="Mario Rossi", role="admin", active=True, created_at=dt.now(),
                                            password_hash=accounts.HASHER.hash(PASSWORD)))
    assert sign_in(engine, clock, " Mario Rossi ", PASSWORD).username == "Mario Rossi"
