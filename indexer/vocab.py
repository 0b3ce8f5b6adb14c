"""The corpus's own vocabulary for restoring diacritics in queries typed without them (the restoring
itself: vntext.restore).

Each folded syllable maps to its most frequent accented form in the corpus, and each folded
syllable pair to its most frequent accented pair where that differs from the syllable-by-syllable
guess ("ty le" -> "tỷ lệ", "ban thuong vu" -> "ban thường vụ"); equal counts go to the form that
sorts last (an accented letter sorts after its plain one, so a tie keeps the diacritics).

The word and pair counts behind it (`VocabCounts`) are kept in the index generation, so that a build
that adds or removes a few documents updates them by those documents instead of recounting every
chunk (that recount was 21.6 s of the 26.3 s it took to add one document to 100k chunks)."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vntext.normalize import fold
from vntext.words import letter_words

_SHIFT = np.int64(32)
_LOW = np.int64(0xFFFFFFFF)


@dataclass
class VocabCounts:
    """Word and adjacent word-pair counts of a set of texts (words lower-cased, as written).

    A word's id is its position in `words` (ids never move; a count may fall to 0); a pair is the
    key `id_a << 32 | id_b`, `pair_keys` sorted."""

    words: list[str]
    word_n: np.ndarray  # int64, one per word
    pair_keys: np.ndarray  # int64, sorted, unique
    pair_n: np.ndarray  # int64, one per pair key
    folded: list[str] | None = None  # fold() of each word, kept so that an update folds only new words

    def as_dicts(self) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        """{word: n} and {(a, b): n} of the counts above zero (to compare two counts)."""
        words = {w: int(n) for w, n in zip(self.words, self.word_n) if n > 0}
        pairs = {(self.words[int(k >> _SHIFT)], self.words[int(k & _LOW)]): int(n)
                 for k, n in zip(self.pair_keys, self.pair_n) if n > 0}
        return words, pairs


def count_raw(texts: Iterable[str]) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """Lower-cased words and adjacent word pairs within a line, counted over `texts`."""
    words_n: Counter[str] = Counter()
    pairs_n: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for line in text.lower().split("\n"):
            words = letter_words(line)
            words_n.update(words)
            pairs_n.update(zip(words, words[1:]))
    return words_n, pairs_n


def count_texts(texts: Iterable[str]) -> VocabCounts:
    """The counts of `texts`."""
    return update_counts(None, texts, ())


def update_counts(base: VocabCounts | None, added: Iterable[str], removed: Iterable[str]) -> VocabCounts:
    """`base` (None: empty) plus the counts of the `added` texts, minus those of the `removed` ones
    (which must have been counted in `base`). Costs the size of the change plus array passes over `base`."""
    add_w, add_p = count_raw(added)
    rem_w, rem_p = count_raw(removed)
    words = list(base.words) if base is not None else []
    folded = list(base.folded if base is not None and base.folded is not None else map(fold, words))
    ids = {w: i for i, w in enumerate(words)}
    for w in list(add_w) + list(rem_w):
        if w not in ids:
            ids[w] = len(words)
            words.append(w)
            folded.append(fold(w))
    word_n = np.zeros(len(words), np.int64)
    if base is not None:
        word_n[: len(base.words)] = base.word_n
    for counter, sign in ((add_w, 1), (rem_w, -1)):
        if counter:
            np.add.at(word_n, np.fromiter((ids[w] for w in counter), np.int64, len(counter)),
                      sign * np.fromiter(counter.values(), np.int64, len(counter)))
    delta_keys, delta_n = [], []
    for counter, sign in ((add_p, 1), (rem_p, -1)):
        if counter:
            delta_keys.append(np.fromiter(((ids[a] << 32) | ids[b] for a, b in counter), np.int64, len(counter)))
            delta_n.append(sign * np.fromiter(counter.values(), np.int64, len(counter)))
    keys = base.pair_keys if base is not None else np.zeros(0, np.int64)
    pair_n = base.pair_n if base is not None else np.zeros(0, np.int64)
    if delta_keys:
        keys, inverse = np.unique(np.concatenate([keys, *delta_keys]), return_inverse=True)
        merged = np.zeros(len(keys), np.int64)
        np.add.at(merged, inverse, np.concatenate([pair_n, *delta_n]))
        pair_n = merged
    if (word_n < 0).any() or (pair_n < 0).any():
        raise ValueError("removed texts that were not counted")
    return VocabCounts(words, word_n, keys, pair_n, folded)


def save_counts(counts: VocabCounts, path: Path) -> None:
    """Write counts to one .npz file (word list as JSON inside)."""
    folded = counts.folded if counts.folded is not None else [fold(w) for w in counts.words]
    words = np.frombuffer(json.dumps([counts.words, folded], ensure_ascii=False).encode("utf-8"), np.uint8)
    with open(path, "wb") as f:
        np.savez(f, words=words, word_n=counts.word_n, pair_keys=counts.pair_keys, pair_n=counts.pair_n)


def load_counts(path: Path) -> VocabCounts:
    """Counts written by save_counts."""
    with np.load(io.BytesIO(path.read_bytes())) as data:
        words, folded = json.loads(data["words"].tobytes().decode("utf-8"))
        return VocabCounts(words, data["word_n"], data["pair_keys"], data["pair_n"], folded)


def vocab_from_counts(counts: VocabCounts, min_pair_count: int = 1) -> dict[str, dict[str, str]]:
    """{"uni": {folded: accented}, "bi": {"folded folded": "accented accented"}} from counts.

    Array passes over the pairs: each word is folded once, and only the pairs that change the
    syllable-by-syllable guess become strings."""
    n_words = len(counts.words)
    folded = counts.folded if counts.folded is not None else [fold(w) for w in counts.words]
    fold_ids: dict[str, int] = {}
    fid = np.fromiter((fold_ids.setdefault(f, len(fold_ids)) for f in folded), np.int64, n_words)
    rank = np.empty(n_words, np.int64)  # the tie-break: the word that sorts last first
    rank[sorted(range(n_words), key=counts.words.__getitem__, reverse=True)] = np.arange(n_words)
    # unigrams: per folded form, the word with the highest count (then the last in sorted order)
    live = np.nonzero(counts.word_n > 0)[0]
    order = live[np.lexsort((rank[live], -counts.word_n[live], fid[live]))]
    first = np.ones(len(order), bool)
    first[1:] = fid[order][1:] != fid[order][:-1]
    best_word = np.full(len(fold_ids), -1, np.int64)
    best_word[fid[order[first]]] = order[first]
    uni = {}
    for w in order[first]:
        if folded[w] != counts.words[w]:
            uni[folded[w]] = counts.words[w]
    # bigrams: per folded pair, the pair with the highest count, kept where it differs from the guess
    keep = np.nonzero(counts.pair_n >= max(min_pair_count, 1))[0]
    a = counts.pair_keys[keep] >> _SHIFT
    b = counts.pair_keys[keep] & _LOW
    n = counts.pair_n[keep]
    fkey = (fid[a] << _SHIFT) | fid[b]
    order = np.lexsort((rank[b], rank[a], -n, fkey))
    first = np.ones(len(order), bool)
    first[1:] = fkey[order][1:] != fkey[order][:-1]
    top = order[first]
    a, b = a[top], b[top]
    changes = (best_word[fid[a]] != a) | (best_word[fid[b]] != b)
    bi = {}
    for x, y in zip(a[changes].tolist(), b[changes].tolist()):
        bi[folded[x] + " " + folded[y]] = counts.words[x] + " " + counts.words[y]
    return {"uni": uni, "bi": bi}


def update_vocab(vocab: dict[str, dict[str, str]], old: VocabCounts, new: VocabCounts, added: Iterable[str],
                 removed: Iterable[str], min_pair_count: int = 1) -> dict[str, dict[str, str]]:
    """vocab_from_counts(new), given `vocab` = vocab_from_counts(old) and the texts that turned `old` into
    `new`: only the folded words and pairs those texts hold are decided again (a small add costs its own
    size, not the collection's). Where the change moves a folded word's best form, every pair that holds it
    is decided again too (found by one array pass over the pairs)."""
    add_w, add_p = count_raw(added)
    rem_w, rem_p = count_raw(removed)
    words = set(add_w) | set(rem_w)
    folded_new = new.folded if new.folded is not None else [fold(w) for w in new.words]
    touched = {fold(w) for w in words}
    by_fold = _words_by_fold(folded_new, touched)
    old_ids = {w: i for i, w in enumerate(old.words)}
    best: dict[str, int] = {}
    moved = set()  # folded forms whose best word changed (one that appears or vanishes only touches its own pairs)
    for f in touched:
        ids = by_fold.get(f, [])
        now = _best(new.words, new.word_n, ids)
        before = _best(old.words, old.word_n, [old_ids[new.words[i]] for i in ids if new.words[i] in old_ids])
        if now is not None and before is not None and new.words[now] != old.words[before]:
            moved.add(f)
        best[f] = now
    pairs = {(fold(a), fold(b)) for a, b in list(add_p) + list(rem_p)}
    if moved:
        fold_ids: dict[str, int] = {}
        fid = np.fromiter((fold_ids.setdefault(f, len(fold_ids)) for f in folded_new), np.int64, len(folded_new))
        a, b = new.pair_keys >> _SHIFT, new.pair_keys & _LOW
        hit = np.isin(fid, [fold_ids[f] for f in moved])
        m = (new.pair_n > 0) & (hit[a] | hit[b])
        pairs |= {(folded_new[x], folded_new[y]) for x, y in zip(a[m].tolist(), b[m].tolist())}
        by_fold = _words_by_fold(folded_new, {f for p in pairs for f in p})
    uni, bi = dict(vocab["uni"]), dict(vocab["bi"])
    for f, w in best.items():
        if w is not None and new.words[w] != f:
            uni[f] = new.words[w]
        else:
            uni.pop(f, None)
    ids = {w: i for i, w in enumerate(new.words)}
    for fa, fb in pairs:
        cands = [(x, y) for x in by_fold.get(fa, []) for y in by_fold.get(fb, [])]
        keys = np.array([(x << 32) | y for x, y in cands], np.int64)
        pos = np.minimum(np.searchsorted(new.pair_keys, keys), max(len(new.pair_keys) - 1, 0))
        n = np.where(new.pair_keys[pos] == keys, new.pair_n[pos], 0) if len(new.pair_keys) else np.zeros(len(keys), np.int64)
        top = None
        for (x, y), c in zip(cands, n.tolist()):  # highest count, then the pair that sorts last
            if c >= max(min_pair_count, 1) and (top is None or (c, new.words[x], new.words[y]) > top):
                top = (c, new.words[x], new.words[y])
        key = fa + " " + fb
        if top is not None and (ids[top[1]] != _best_of(best, fa, ids, uni) or ids[top[2]] != _best_of(best, fb, ids, uni)):
            bi[key] = top[1] + " " + top[2]
        else:
            bi.pop(key, None)
    return {"uni": uni, "bi": bi}


def _words_by_fold(folded: list[str], forms: set[str]) -> dict[str, list[int]]:
    """The word ids of each folded form in `forms`."""
    out: dict[str, list[int]] = {}
    for i, f in enumerate(folded):
        if f in forms:
            out.setdefault(f, []).append(i)
    return out


def _best(words: list[str], counts: np.ndarray, ids: list[int]) -> int | None:
    """Of the word ids `ids` (one folded form), the one with the highest count, then the one that sorts last."""
    live = [i for i in ids if counts[i] > 0]
    return max(live, key=lambda i: (counts[i], words[i])) if live else None


def _best_of(best: dict[str, int], f: str, ids: dict[str, int], uni: dict[str, str]) -> int | None:
    """The best word id of folded form `f`: decided above when touched, else as the vocabulary says."""
    if f in best:
        return best[f]
    return ids.get(uni.get(f, f))


def build_vocab(texts: Iterable[str], min_pair_count: int = 1) -> dict[str, dict[str, str]]:
    """{"uni": {folded: accented}, "bi": {"folded folded": "accented accented"}} from a corpus's texts."""
    return vocab_from_counts(count_texts(texts), min_pair_count)
