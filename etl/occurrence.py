"""Occurrence numbers for movements keyed by their content, counted chunk by chunk.

Two equal payments on one day are two movements: a keyless movement is keyed by its content plus its
occurrence in the file (`content#1`, `content#2`, ...). Within a chunk pandas numbers them; across chunks,
a Bloom filter of fixed size (memory does not grow with the file) remembers which contents were already
seen, so that only the few rows whose content may have appeared in an earlier chunk are renumbered
at the merge (`etl.staging`), instead of sorting the whole file by content.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BITS = 2**29  # 64 MiB: about 1 false "maybe seen" in 5,000 at 30 million distinct contents
HASHES = 5


class SeenContents:
    """A Bloom filter of the content keys of the chunks staged so far."""

    def __init__(self, bits: int | None = None, hashes: int = HASHES) -> None:
        self.bits, self.hashes = bits or BITS, hashes
        self._array: np.ndarray | None = None  # allocated on first use: most files are not movements

    def _positions(self, keys: pd.Series) -> np.ndarray:
        h = pd.util.hash_pandas_object(keys, index=False).to_numpy(dtype=np.uint64)
        h1, h2 = h & np.uint64(0xFFFFFFFF), (h >> np.uint64(32)) | np.uint64(1)
        steps = np.arange(self.hashes, dtype=np.uint64)
        return ((h1[:, None] + steps[None, :] * h2[:, None]) % np.uint64(self.bits)).astype(np.int64)

    def seen_then_add(self, keys: pd.Series) -> np.ndarray:
        """For each key: may it have been added before this call? Then add them all."""
        if self._array is None:
            self._array = np.zeros(self.bits // 8, dtype=np.uint8)
        if keys.empty:
            return np.zeros(0, dtype=bool)
        pos = self._positions(keys)
        byte, bit = pos >> 3, (pos & 7).astype(np.uint8)
        seen = ((self._array[byte] >> bit) & 1).all(axis=1)
        np.bitwise_or.at(self._array, byte.ravel(), (np.uint8(1) << bit).ravel())
        return seen


def number_in_chunk(keys: pd.Series) -> pd.Series:
    """1, 2, 3... for the repeats of each key within the chunk, in line order."""
    return keys.groupby(keys, sort=False).cumcount() + 1
