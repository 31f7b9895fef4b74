"""``demo-tickets``: a deterministic, small, imbalanced, ticket-like corpus (no files needed).

Each class has its own topic words, and every class borrows words from a "neighbour" class, so the
vocabularies overlap and the smallest classes are genuinely hard, as in real ticket data. It is a
test and quickstart corpus, not a benchmark: its numbers say nothing about real tickets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FILLER = (
    "hi hello please help thanks thank you regards team user issue request urgent today since "
    "morning again still need kindly asap could check support ticket colleague office working "
    "problem new update sent attached best know let"
).split()

# class name -> (size, topic words, neighbour class whose words it borrows, share borrowed)
CLASSES: dict[str, tuple[int, str, str, float]] = {
    "Hardware": (
        1300,
        "laptop screen keyboard battery charger dock monitor mouse broken replace "
        "device cable port power boot fan noise hinge",
        "Purchase",
        0.15,
    ),
    "Access": (
        700,
        "access account permission folder login password grant role rights group "
        "sharepoint drive approve manager reset expired",
        "Security",
        0.2,
    ),
    "Network": (
        450,
        "network wifi vpn connection slow internet router cable ip proxy dns "
        "disconnect latency firewall remote",
        "Email",
        0.2,
    ),
    "Email": (
        280,
        "email outlook mailbox inbox calendar meeting invite distribution list spam "
        "attachment signature server sync",
        "Network",
        0.25,
    ),
    "Printing": (
        160,
        "printer print toner paper jam queue scanner scan cartridge tray driver colour device cable",
        "Hardware",
        0.3,
    ),
    "Purchase": (
        80,
        "order purchase quote invoice supplier approval budget licence buy laptop monitor delivery cost",
        "Hardware",
        0.3,
    ),
    "Security": (
        42,
        "phishing suspicious virus malware alert password account breach lock "
        "report attachment link compromised",
        "Access",
        0.2,
    ),
}


def _zipf_weights(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1)
    return weights / weights.sum()


def generate_demo_tickets(seed: int = 0, scale: float = 1.0) -> pd.DataFrame:
    """Return ``row_id, text, label`` for the demo corpus; same ``seed`` and ``scale``, same rows.

    ``scale`` multiplies every class size (minimum 12 per class) for quicker or bigger corpora.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rng = np.random.default_rng(seed)
    vocab = {name: spec[1].split() for name, spec in CLASSES.items()}
    filler_w = _zipf_weights(len(FILLER))
    texts, labels = [], []
    for name, (size, _, neighbour, borrow) in CLASSES.items():
        own, other = vocab[name], vocab[neighbour]
        own_w, other_w = _zipf_weights(len(own)), _zipf_weights(len(other))
        for _ in range(max(12, int(round(size * scale)))):
            length = int(rng.integers(6, 19))
            source = rng.choice(3, size=length, p=[0.45, 0.55 * (1 - borrow), 0.55 * borrow])
            words = [
                FILLER[rng.choice(len(FILLER), p=filler_w)]
                if s == 0
                else own[rng.choice(len(own), p=own_w)]
                if s == 1
                else other[rng.choice(len(other), p=other_w)]
                for s in source
            ]
            texts.append(" ".join(words))
            labels.append(name)
    order = rng.permutation(len(texts))
    return pd.DataFrame(
        {
            "row_id": np.arange(len(texts)),
            "text": np.asarray(texts, dtype=object)[order],
            "label": np.asarray(labels, dtype=object)[order],
        }
    )
