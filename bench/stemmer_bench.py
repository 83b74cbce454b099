"""Compare the two candidate word normalisers for reading briefs: Snowball stems (PyStemmer, the
one the engine uses) and simplemma lemmas, on quality and speed.

    .venv/bin/pip install simplemma    # only for this comparison; the service does not need it
    .venv/bin/python bench/stemmer_bench.py

Quality: pairs of words a brief and a service name write differently but mean the same
("modelling" / "model", "Lohnabrechnungen" / "Lohnabrechnung"): the share each tool brings to
one form. Pairs it must keep apart ("data" / "date"): the share kept apart. Speed: microseconds
to normalise 100 words.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

import Stemmer

SAME = {
    "en": [
        ("modelling", "model"), ("models", "model"), ("searches", "search"),
        ("moderating", "moderation"), ("moderation", "moderate"), ("payables", "payable"),
        ("drafting", "draft"), ("reviews", "review"), ("researching", "research"),
        ("processed", "processing"), ("reconciliations", "reconciliation"),
        ("annotating", "annotation"), ("labelled", "labelling"), ("coding", "code"),
        ("billing", "bill"), ("analyses", "analysis"), ("forecasts", "forecasting"),
        ("scheduling", "schedule"), ("appointments", "appointment"), ("invoices", "invoice"),
    ],
    "de": [
        ("Lohnabrechnungen", "Lohnabrechnung"), ("Rechnungen", "Rechnung"),
        ("Verträgen", "Vertrag"), ("Buchhaltungen", "Buchhaltung"), ("Recherchen", "Recherche"),
        ("Anrufe", "Anruf"), ("Analysen", "Analyse"), ("Übersetzungen", "Übersetzung"),
    ],
    "es": [
        ("nóminas", "nómina"), ("facturas", "factura"), ("contratos", "contrato"),
        ("llamadas", "llamada"), ("investigaciones", "investigación"),
        ("cobranzas", "cobranza"), ("reclamaciones", "reclamación"),
    ],
    "fr": [
        ("factures", "facture"), ("contrats", "contrat"), ("appels", "appel"),
        ("analyses", "analyse"), ("recherches", "recherche"), ("réclamations", "réclamation"),
        ("traductions", "traduction"),
    ],
    "pt": [
        ("faturas", "fatura"), ("contratos", "contrato"), ("chamadas", "chamada"),
        ("análises", "análise"), ("pesquisas", "pesquisa"), ("cobranças", "cobrança"),
        ("reclamações", "reclamação"), ("folhas", "folha"),
    ],
}  # fmt: skip
APART = {
    "en": [("data", "date"), ("policy", "police"), ("claims", "clay"), ("general", "generate")],
    "de": [("Daten", "Datum"), ("Recht", "Rechnung")],
    "es": [("cita", "citar"), ("datos", "dado")],
    "fr": [("paie", "paix"), ("données", "donner")],
    "pt": [("folha", "folga"), ("dados", "dado")],
}
SNOWBALL = {"en": "english", "de": "german", "es": "spanish", "fr": "french", "pt": "portuguese"}
SAMPLE_TEXT = (
    "we need a team to answer customer calls and process invoices for our accounts payable "
    "department with monthly reconciliations and reporting "
)
SAMPLE = SAMPLE_TEXT.split() * 5


def main() -> None:
    """Print the share of pairs each tool gets right, and its speed."""
    simplemma: Any = None
    try:
        simplemma = importlib.import_module("simplemma")
    except ImportError:
        print("simplemma is not installed: only Snowball is measured (pip install simplemma)")
    total_same = sum(len(pairs) for pairs in SAME.values())
    total_apart = sum(len(pairs) for pairs in APART.values())
    snow_same = snow_apart = lemma_same = lemma_apart = 0
    for language, name in SNOWBALL.items():
        stemmer = Stemmer.Stemmer(name)

        def stem(word: str, stemmer: Stemmer.Stemmer = stemmer) -> str:
            return str(stemmer.stemWord(word.casefold()))

        snow_same += sum(stem(a) == stem(b) for a, b in SAME[language])
        snow_apart += sum(stem(a) != stem(b) for a, b in APART[language])
        if simplemma is not None:

            def lemma(word: str, language: str = language) -> str:
                return str(simplemma.lemmatize(word.casefold(), lang=language))

            lemma_same += sum(lemma(a) == lemma(b) for a, b in SAME[language])
            lemma_apart += sum(lemma(a) != lemma(b) for a, b in APART[language])
    stemmer = Stemmer.Stemmer("english", 0)
    started = time.perf_counter()
    for _ in range(1000):
        [stemmer.stemWord(word) for word in SAMPLE]
    snow_speed = (time.perf_counter() - started) / 1000 / len(SAMPLE) * 100 * 1e6
    print(f"{'':10} {'same form':>12} {'kept apart':>12} {'us / 100 words':>16}")
    print(
        f"{'Snowball':10} {snow_same:>5}/{total_same:<6} {snow_apart:>5}/{total_apart:<6} "
        f"{snow_speed:>16.1f}"
    )
    if simplemma is not None:
        started = time.perf_counter()
        for _ in range(200):
            [simplemma.lemmatize(word, lang="en") for word in SAMPLE]
        lemma_speed = (time.perf_counter() - started) / 200 / len(SAMPLE) * 100 * 1e6
        print(
            f"{'simplemma':10} {lemma_same:>5}/{total_same:<6} {lemma_apart:>5}/{total_apart:<6} "
            f"{lemma_speed:>16.1f}"
        )


if __name__ == "__main__":
    main()
