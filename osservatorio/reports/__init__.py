"""Self-contained reports (HTML now; the same sections can feed a PDF later)."""
