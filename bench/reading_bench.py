"""Benchmark reading a brief, and a match at 100k vendors, against the engine before the reader.

    .venv/bin/python bench/reading_bench.py [--vendors 100000] [--baseline 8bf7533]

Reading: p50 and p95 time of reading one 100-word brief (the requirement's skills and
description resolved, the engagement model inferred), for briefs in each of the five languages.
Match: p50 of one match (read + rank) at 100k synthetic vendors, for a profile naming four skills
(the same work for both engines) and for the English brief (where the reader now finds more
services, each one more column for the ranking to score). Both run here, on the current code,
and on the baseline commit (the engine before the brief reader) from a temporary `git worktree`,
in the same run. Target: reading p50 <= 2 ms; the match at 100k for the same work no slower than
the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "8bf7533"
REPEATS = 300
MATCHES = 30
BRIEFS = {
    "en": "We are a mid-sized insurance broker in Ohio and need a partner to answer our phones "
    "around the clock, log first notice of loss for motor and home claims, and chase unpaid "
    "premiums by phone and email. Our own adjusters settle the claims. The team should cover "
    "weekends, work to our scripts, speak English and Spanish, and hold PCI DSS. We also want "
    "someone to key in paper claim forms within a day, clean up duplicate policyholder records "
    "in the CRM and send us a short monthly report on call volumes and handling times.",
    "de": "Wir sind ein mittelständischer Onlinehändler für Gartenmöbel und suchen einen Partner, "
    "der Anrufe und E-Mails unserer Kunden beantwortet, Bestellungen und Rücksendungen "
    "bearbeitet und Reklamationen löst. Außerdem brauchen wir Unterstützung bei der "
    "Lohnabrechnung für 240 Mitarbeiter, der Prüfung der Eingangsrechnungen und dem Mahnwesen. "
    "Die Buchhaltung machen wir weiterhin selbst. Der Dienstleister sollte Deutsch und "
    "Englisch sprechen, nach ISO 27001 zertifiziert sein und montags bis samstags erreichbar "
    "sein. Bitte nennen Sie uns Ihre Stundensätze und Referenzen aus dem Handel.",
    "es": "Somos una cadena de clínicas dentales en Madrid y necesitamos a alguien que atienda "
    "las llamadas de los pacientes, gestione las citas y envíe recordatorios por teléfono y "
    "correo. También buscamos apoyo con la facturación a las aseguradoras, la verificación de "
    "cobertura y la gestión de reclamaciones denegadas. Llevamos la contabilidad nosotros "
    "mismos. El equipo debe hablar español e inglés, trabajar en nuestro horario y cumplir el "
    "RGPD. Queremos empezar con diez personas y crecer hasta veinte durante el primer año.",
    "fr": "Nous sommes un cabinet d'avocats parisien spécialisé en droit des affaires et nous "
    "cherchons un prestataire pour la revue de contrats fournisseurs, la rédaction de contrats "
    "types et la recherche juridique sur la jurisprudence récente. Nous avons aussi besoin "
    "d'une veille réglementaire en droit de la consommation et de la saisie de données de nos "
    "dossiers clients. La plaidoirie reste en interne. L'équipe doit travailler en français et "
    "en anglais, avec des juristes qualifiés et une stricte confidentialité des données.",
    "pt": "Somos uma rede de lojas de moda em São Paulo e precisamos terceirizar o atendimento "
    "ao cliente por chat e e-mail, o processamento de pedidos e devoluções e a moderação de "
    "comentários nas nossas redes sociais. Também queremos uma análise dos dados de vendas com "
    "modelos preditivos para prever a demanda das nossas sessenta lojas. A folha de pagamento "
    "nós mesmos fazemos. A equipe deve falar português e espanhol e trabalhar no horário "
    "comercial de Brasília, com possibilidade de crescer no fim do ano.",
}
MEASURE = r"""
import json, statistics, sys, time
from matcher.engine.index import build_index
from matcher.engine.knowledge import load_knowledge
from matcher.engine.model import Requirement
from matcher.engine.rank import rank
from matcher.engine.reading import read
from matcher.matching import vendor_row
from vendors.synthetic import generate_records

briefs, vendors, repeats, matches = json.loads(sys.argv[1])
knowledge = load_knowledge()


def milliseconds(call, count):
    # Warm up once, then time `count` calls: the sorted times in ms.
    call()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


reading = {}
for language, text in briefs.items():
    requirement = Requirement(description=text, client_country="US")
    times = milliseconds(lambda: read(requirement, knowledge), repeats)
    reading[language] = (statistics.median(times), times[int(0.95 * len(times))])
index = build_index([vendor_row(r) for r in generate_records(vendors, seed=5)], knowledge)
brief = Requirement(description=briefs["en"], client_country="US", limit=10)
skills = Requirement(
    skills=("customer support", "claims processing", "collections", "data entry"),
    client_country="US", industry="Insurance", limit=10,
)
p50 = {
    name: statistics.median(
        milliseconds(lambda: rank(read(profile, knowledge), index, knowledge), matches)
    )
    for name, profile in (("match_p50", brief), ("skills_p50", skills))
}
print(json.dumps({"reading": reading, **p50}))
"""


def measure(tree: Path, vendors: int) -> dict[str, object]:
    """Run the measurement with the engine of one source tree, in a process of its own."""
    arguments = json.dumps([BRIEFS, vendors, REPEATS, MATCHES])
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, arguments],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Print reading and match figures for the current code and the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--baseline", default=BASELINE, help="commit of the engine to compare")
    options = parser.parse_args()
    for language, text in BRIEFS.items():
        print(f"brief {language}: {len(text.split())} words")
    current = measure(ROOT, options.vendors)
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "baseline"
        made = subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), options.baseline],
            capture_output=True,
            text=True,
        )
        baseline = measure(tree, options.vendors) if made.returncode == 0 else None
        if made.returncode == 0:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])
        else:
            print(f"baseline {options.baseline} not available: {made.stderr.strip()}")
    print()
    print(f"{'reading one brief':24} {'now p50':>9} {'now p95':>9} {'before p50':>11}")
    for language in BRIEFS:
        now = current["reading"][language]  # type: ignore[index]
        before = baseline["reading"][language][0] if baseline else float("nan")  # type: ignore[index]
        print(f"  {language:22} {now[0]:7.2f}ms {now[1]:7.2f}ms {before:9.2f}ms")
    worst = max(value[0] for value in current["reading"].values())  # type: ignore[attr-defined]
    print(f"  target p50 <= 2 ms: {'met' if worst <= 2 else 'MISSED'} (worst {worst:.2f} ms)")
    for key, title in (
        ("skills_p50", "the same four skills and industry"),
        ("match_p50", "the English brief (now reads more of it)"),
    ):
        now_match = float(current[key])  # type: ignore[arg-type]
        print(f"match at {options.vendors} vendors, {title}, p50: now {now_match:.1f} ms", end="")
        if baseline:
            then = float(baseline[key])  # type: ignore[arg-type]
            print(f", before {then:.1f} ms ({now_match / then:.2f}x)")
        else:
            print()


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
