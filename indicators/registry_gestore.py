"""KPI definitions of the gestore's own record: community register, facility quality, tenancy pipeline, tenant mix
and affordability. Imported by `indicators.registry`, which adds them to `REGISTRY`."""

from __future__ import annotations

from indicators.kpi_model import KPI, TRACK_RECORD, _DAR_CASA, _EUPOLIS

# The registry's units (`indicators.registry.EUR`...), spelled here: this module is imported while the registry loads.
COUNT, EUR, PCT, RATIO = "count", "eur", "pct", "ratio"

_COMMUNITY = (f"{TRACK_RECORD} (gestione di comunità: accompagnamento all'ingresso, spazi comuni, rappresentanze, "
              f"mediazione dei conflitti, socializzazione, regolamenti condivisi); {_DAR_CASA}")
_QUALITY = (f"{_DAR_CASA} (segnalazioni aperte e chiuse, storico dei problemi, scelta dei fornitori migliori); "
            "obiettivi di servizio per urgenza configurabili (predefiniti: emergenza 1 giorno, alta 3, media 10, "
            "bassa 30)")
_PIPELINE = (f"{TRACK_RECORD} (40% degli alloggi in locazione a termine); tempo di rilocazione e mancato canone come "
             "definiti da Osservatorio")
_AFFORD = (f"{_EUPOLIS} (canone più spese al 33% del reddito oltre la soglia di sostenibilità del 30%); "
           f"{_DAR_CASA} (mix sociale e sostenibilità)")
_ACTIVE = "dei nuclei con contratto attivo alla data D negli alloggi del perimetro"
_AMONG = "tra i nuclei con contratto attivo alla data D negli alloggi del perimetro"

GESTORE_KPIS: tuple[KPI, ...] = (
    KPI("community_activities", "Attività di comunità del gestore",
        "attività del registro del gestore sociale (accoglienza e ingresso, spazi comuni, rappresentanze e "
        "assemblee, mediazione dei conflitti, socializzazione, regolamenti condivisi, accompagnamento individuale, "
        "portierato sociale, altro) svolte nel periodo negli interventi del perimetro; per tipo, intervento, "
        "edificio, anno con la variazione sull'anno prima.", COUNT, _COMMUNITY, higher_is_better=True),
    KPI("community_participants", "Partecipanti alle attività di comunità (presenze)",
        "somma dei partecipanti registrati per le attività di comunità del gestore nel periodo: una persona a tre "
        "assemblee conta tre volte.", COUNT, _COMMUNITY, higher_is_better=True),
    KPI("community_households_reached", "Nuclei raggiunti dalle attività di comunità (contatti)",
        "somma dei nuclei raggiunti registrati per le attività di comunità del gestore nel periodo: contatti, non "
        "nuclei distinti.", COUNT, _COMMUNITY, higher_is_better=True),
    KPI("community_hours", "Ore di attività di comunità",
        "somma delle ore registrate per le attività di comunità del gestore nel periodo.", COUNT, _COMMUNITY,
        higher_is_better=True),
    KPI("ticket_within_target_pct", "Segnalazioni chiuse entro l'obiettivo",
        "segnalazioni chiuse nel periodo entro i giorni dell'obiettivo della loro urgenza / segnalazioni chiuse "
        "nel periodo con l'urgenza indicata; per urgenza, categoria, fornitore.", PCT, _QUALITY,
        higher_is_better=True),
    KPI("ticket_backlog_over_target", "Segnalazioni aperte oltre l'obiettivo",
        "segnalazioni aperte alla data D da più giorni dell'obiettivo della loro urgenza; denominatore: "
        "segnalazioni aperte a D.", COUNT, _QUALITY),
    KPI("ticket_backlog_age", "Segnalazioni aperte per anzianità",
        "segnalazioni aperte alla data D per giorni dall'apertura (0-7, 8-30, 31-90, 91-365, oltre un anno), con "
        "quelle oltre l'obiettivo della loro urgenza.", COUNT, _QUALITY),
    KPI("ticket_repeat_pct", "Guasti ripetuti entro 90 giorni",
        "segnalazioni chiuse nel periodo seguite da una nuova segnalazione della stessa categoria nello stesso "
        "alloggio (o nelle parti comuni dello stesso edificio) aperta entro 90 giorni dalla chiusura / "
        "segnalazioni chiuse nel periodo; ripetizioni osservate fino all'ultimo dato; per fornitore.", PCT,
        _QUALITY),
    KPI("ticket_reopened_pct", "Riaperture entro 30 giorni",
        "segnalazioni chiuse nel periodo seguite da una nuova segnalazione della stessa categoria nello stesso "
        "alloggio (o nelle parti comuni dello stesso edificio) entro 30 giorni dalla chiusura / segnalazioni "
        "chiuse nel periodo; per fornitore.", PCT, _QUALITY),
    KPI("ticket_cost_mean_eur", "Costo medio per segnalazione",
        "costo delle segnalazioni chiuse nel periodo / segnalazioni chiuse nel periodo; per fornitore e "
        "categoria.", EUR, _QUALITY),
    KPI("leases_ending", "Contratti in scadenza nei prossimi 12 mesi",
        "contratti con data di fine dopo la data D ed entro 12 mesi (a parte entro 3 e 6 mesi); rilocazioni attese "
        "= quelli su alloggi oggi locabili.", COUNT, _PIPELINE),
    KPI("void_loss_risk_eur", "Mancato canone a rischio sulle scadenze",
        "per ogni alloggio locabile il cui contratto scade nei 12 mesi dopo D: canone mensile × tempo medio di "
        "rilocazione dell'intervento nei tre anni prima di D (del perimetro se l'intervento non ne ha) / 30,4375 "
        "giorni; sommato.", EUR, _PIPELINE),
    KPI("units_coming_free", "Alloggi in arrivo per l'assegnazione nei prossimi 12 mesi",
        "alloggi locabili degli interventi del perimetro liberi alla data D o che si liberano entro 12 mesi (giorno "
        "dopo la fine del contratto a termine, fine dei lavori), a parte liberi ora ed entro 3 e 6 mesi, con il "
        "canone medio; accanto, i nuclei idonei in attesa negli avvisi dell'intervento; per intervento e, sulla "
        "pagina Selezione e abbinamento, per numero di componenti.", COUNT,
        f"{_PIPELINE}; {_DAR_CASA} (abbinamento candidato e alloggio)", higher_is_better=True),
    KPI("tenant_households", "Nuclei residenti",
        f"numero {_ACTIVE}; per fascia, con la quota sul totale.", COUNT, _AFFORD),
    KPI("household_members_mean", "Componenti medi per nucleo",
        f"media dei componenti {_ACTIVE}.", RATIO, _AFFORD),
    KPI("households_social_services_pct", "Nuclei in carico ai servizi sociali",
        f"nuclei in carico ai servizi sociali / numero {_ACTIVE}.", PCT, _AFFORD),
    KPI("households_with_employed_pct", "Nuclei con almeno un occupato",
        f"nuclei con almeno un componente occupato / numero {_ACTIVE}.", PCT, _AFFORD, higher_is_better=True),
    KPI("rent_burden_median_pct", "Incidenza mediana di canone e spese sul reddito",
        f"mediana, sui nuclei con reddito annuo noto {_AMONG}, di (canone mensile × 12 + spese addebitate "
        "nei 12 mesi a D, riportate all'anno) / reddito annuo × 100.", PCT, _AFFORD),
    KPI("households_over_burden_pct", "Nuclei oltre la soglia di sostenibilità (30%)",
        "nuclei il cui canone più spese supera il 30% del reddito annuo / nuclei con reddito annuo noto "
        f"{_AMONG}.", PCT, _AFFORD),
    KPI("rent_per_m2_eur", "Canone al metro quadro (mensile)",
        "somma dei canoni mensili dei contratti attivi alla data D / somma delle superfici degli alloggi locati "
        "(solo alloggi con superficie nota).", EUR, _AFFORD),
)
