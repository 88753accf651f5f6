"""Checks across the estimators of one panel evaluation: disagreement between methods, and the plain statements
of what a design this small cannot show (said in Italian, beside the numbers)."""

from __future__ import annotations

from indicators.evaluation import Panel

SIGN_METHODS = ("did", "sc", "sdid", "staggered", "imputation")


def sign_disagreement(results) -> str | None:
    """A warning when the estimators' point estimates have opposite signs (DiD against synthetic control above all)."""
    signs = {}
    for r in results:
        value = getattr(r, "estimate", None)
        if getattr(r, "method", None) in SIGN_METHODS and value is not None and value != 0:
            signs[r.method] = value > 0
    if len(set(signs.values())) < 2:
        return None
    from indicators.evaluation import METHOD_LABELS

    up = [METHOD_LABELS[m] for m, s in signs.items() if s]
    down = [METHOD_LABELS[m] for m, s in signs.items() if not s]
    return (f"I metodi non concordano nemmeno sul segno dell'effetto (positivo: {'; '.join(up)}; negativo: "
            f"{'; '.join(down)}): con questi dati non si può dire in che direzione abbia agito l'intervento.")


def limits(panel: Panel) -> list[str]:
    """What cannot be concluded from a panel of this size, whatever the estimates say."""
    n_controls, n_treated = len(panel.control_units), len(panel.treated_units)
    out = [f"Con {n_controls} unità di controllo il p-value placebo più piccolo possibile è 1/{n_controls + 1}"
           + (": nessun effetto può risultare significativo al 5% con il controllo sintetico." if n_controls < 19
              else ".")]
    if n_treated < 5:
        out.append(f"Con {n_treated} unità trattate gli intervalli per gruppi (anche col bootstrap) sono fragili: "
                   "un intervallo che esclude lo zero non basta a dire che l'effetto c'è.")
    if panel.n_pre < 3:
        out.append("Con meno di tre periodi prima dell'avvio non si può verificare che trattate e controlli "
                   "andassero in parallelo: ogni stima poggia su un'ipotesi non controllabile.")
    if panel.n_post < 3:
        out.append(f"Solo {panel.n_post} periodi dopo il primo avvio: effetti che richiedono tempo (sulla morosità "
                   "servono almeno due anni) non si possono ancora vedere, e una stima vicina a zero non prova che "
                   "l'intervento non abbia funzionato.")
    return out
