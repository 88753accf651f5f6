"""Placebo in time: the same estimators with a pretend start placed before the real one, on the periods before
the real start only. Nothing happened then, so an 'effect' there says the treated and control units were
already drifting apart (or the method finds effects in noise): the estimate after the real start is not to be
trusted more than this one is."""

from __future__ import annotations

from indicators.evaluation import Effect, Panel, make_panel

MIN_BEFORE, MIN_AFTER = 2, 1
MAX_SC_UNITS = 30  # above this many treated units the placebo synthetic controls are left to the DiD placebo


def placebo_start(panel: Panel, shift: int | None = None):
    """The pretend start: `shift` periods before the (earliest) real start, by default half the periods before."""
    before = [p for p in panel.periods if p < panel.start]
    shift = shift or max(MIN_AFTER, len(before) // 2)
    if len(before) - shift < MIN_BEFORE or shift < MIN_AFTER:
        return None
    return before[len(before) - shift]


def placebo_in_time(panel: Panel, *, shift: int | None = None, reps: int = 199) -> list[Effect]:
    """DiD and synthetic control on the periods before the real start, with the pretend start."""
    from indicators.did import twfe_did
    from indicators.synthetic_control import synthetic_control

    fake = placebo_start(panel, shift)
    if fake is None:
        text = ("Placebo nel tempo non calcolabile: servono almeno tre periodi prima dell'avvio (due prima dell'avvio "
                "finto e uno dopo).")
        return [Effect("did_placebo_time", None, warnings=[text]), Effect("sc_placebo_time", None, warnings=[text])]
    frame = panel.frame[panel.frame["period"] < panel.start]
    sub = make_panel(frame, unit="unit", time="period", outcome="y", treated=panel.treated_units, start=fake)
    did = twfe_did(sub, reps=reps)
    if len(panel.treated_units) > MAX_SC_UNITS:
        sc = Effect("sc", None, warnings=[f"Placebo nel tempo del controllo sintetico non calcolato con più di "
                                          f"{MAX_SC_UNITS} unità trattate: vale quello della differenza nelle "
                                          "differenze."])
    else:
        sc = synthetic_control(sub, conformal=False)
        sc = sc.effect if hasattr(sc, "effect") else sc
    note = (f"Avvio finto al periodo {fake}, solo periodi prima dell'avvio vero: qui non è successo nulla, quindi "
            "una stima lontana da zero dice che trattate e controlli divergevano già.")
    for effect, method in ((did, "did_placebo_time"), (sc, "sc_placebo_time")):
        effect.method = method
        effect.warnings.insert(0, note)
    return [did, sc]
