"""Deterministic sample data: a believable cooperative acting as gestore sociale for two SGRs' funds.

`generate(out_dir)` writes one CSV per kind of the data contract, in the Italian format users bring
(`;`, decimal comma, dd/mm/yyyy, cp1252 or UTF-8); the same arguments always give the same bytes.
"""

from etl.sample.generator import SAMPLE_END, generate

__all__ = ["SAMPLE_END", "generate"]
