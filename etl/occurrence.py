"""Occurrence numbers for movements keyed by their content, counted chunk by chunk.

Two equal payments on one day are two movements: a keyless movement is keyed by its content plus its
occurrence in the file (`content#1`, `content#2`, ...). Within a chunk pandas numbers them; across chunks,
a Bloom filter of fixed size (memory does not grow with the file) remembers which contents were already
seen, so that only the few rows whose content may have appeared in an earlier chunk wait for the end of
the file: `EarlierCounts` (each chunk's contents and their counts, spilled to a temporary file) then tells
how many times each of those contents appeared in the chunks before its own.
"""

from __future__ import annotations

import tempfile
from typing import IO

import numpy as np
import pandas as pd

BITS = 2**29  # 64 MiB: about 1 false "maybe seen" in 5,000 at 30 million distinct contents
HASHES = 5


def content_hashes(keys: pd.Series) -> np.ndarray:
    """A 64-bit hash of each content key."""
    return pd.util.hash_pandas_object(keys, index=False).to_numpy(dtype=np.uint64)


class SeenContents:
    """A Bloom filter of the content keys of the chunks staged so far."""

    def __init__(self, bits: int | None = None, hashes: int = HASHES) -> None:
        self.bits, self.hashes = bits or BITS, hashes
        self._array: np.ndarray | None = None  # allocated on first use: most files are not movements

    def _positions(self, h: np.ndarray) -> np.ndarray:
        h1, h2 = h & np.uint64(0xFFFFFFFF), (h >> np.uint64(32)) | np.uint64(1)
        steps = np.arange(self.hashes, dtype=np.uint64)
        return ((h1[:, None] + steps[None, :] * h2[:, None]) % np.uint64(self.bits)).astype(np.int64)

    def seen_then_add(self, keys: pd.Series | np.ndarray) -> np.ndarray:
        """For each key (or its `content_hashes`): may it have been added before this call? Then add them all."""
        if self._array is None:
            self._array = np.zeros(max(self.bits // 8, 1), dtype=np.uint8)
        if len(keys) == 0:
            return np.zeros(0, dtype=bool)
        pos = self._positions(keys if isinstance(keys, np.ndarray) else content_hashes(keys))
        byte, bit = pos >> 3, (pos & 7).astype(np.uint8)
        seen = ((self._array[byte] >> bit) & 1).all(axis=1)
        byte, bit = byte.ravel(), bit.ravel()
        for b in range(8):  # one bit value at a time: plain fancy indexing, far faster than np.bitwise_or.at
            self._array[byte[bit == b]] |= np.uint8(1 << b)
        return seen


class EarlierCounts:
    """How many times each content appeared in each chunk, one sorted array per chunk in a temporary file.

    Memory holds only the list of chunks; the file (12 bytes per distinct content of a chunk) is read back
    only when some rows' contents may have appeared before, and deleted when the load ends.
    """

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._chunks: list[tuple[int, int, int]] = []  # offset, distinct contents, last line of the chunk

    def add(self, hashes: np.ndarray, last_line: int) -> None:
        if len(hashes) == 0:
            return
        distinct, counts = np.unique(hashes, return_counts=True)
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="osservatorio-occ-")
        offset = self._file.seek(0, 2)
        self._file.write(distinct.tobytes())
        self._file.write(counts.astype(np.uint32).tobytes())
        self._chunks.append((offset, len(distinct), last_line))

    def before(self, hashes: np.ndarray, lines: np.ndarray) -> np.ndarray:
        """For each (content hash, line): occurrences of that content in the chunks that ended before the line."""
        total = np.zeros(len(hashes), dtype=np.int64)
        if self._file is None:  # nothing added yet
            return total
        for offset, n, last_line in self._chunks:
            earlier = lines > last_line
            if not earlier.any():
                break  # chunks come in line order
            self._file.seek(offset)
            distinct = np.frombuffer(self._file.read(8 * n), dtype=np.uint64)
            counts = np.frombuffer(self._file.read(4 * n), dtype=np.uint32)
            at = np.minimum(np.searchsorted(distinct, hashes), n - 1)
            total += np.where(earlier & (distinct[at] == hashes), counts[at], 0)
        return total

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def number_in_chunk(keys: pd.Series) -> pd.Series:
    """1, 2, 3... for the repeats of each key within the chunk, in line order."""
    return keys.groupby(keys, sort=False).cumcount() + 1
