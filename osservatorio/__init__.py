"""Osservatorio: analisi, monitoraggio e valutazione dell'abitare sociale in Lombardia."""
