"""ANPR benchmark: watchlist matching at a million plates, and plate OCR.

Prints one JSON document on stdout (progress on stderr):

* ``reads_per_s_per_core`` — `Watchlist.match_many` on batches of 1,000 reads (as
  the ingest calls it) on one thread (CPU time of that thread, so other load on
  the machine does not count; ``reads_per_s_wall`` is the wall-clock figure) over
  a mix of exact, look-alike, one-missing-character and unlisted reads; the
  median of ``--repeat`` passes over all the reads (each pass's figure is in
  ``reads_per_s_per_core_runs``: on a shared machine one pass can be a third off);
  ``single_read_match_per_s_per_core`` is `Watchlist.match` one read at a time;
  ``watchlist_edit_ms`` one add plus one remove on the built list; with
  ``baseline_exact_dict_per_s`` (a plain dict lookup of the compact text: fast
  but blind to OCR errors) and ``baseline_rapidfuzz_scan_per_s`` (the naive
  tolerant approach: a Levenshtein scan of the whole list), both measured here.
* ``ocr_ms_p50`` / ``ocr_exact`` — `read_plate` on rendered synthetic plates
  (seeds disjoint from the tests'), one thread, after one warm-up read;
  ``ocr_cpu_ms_p50`` is the same in CPU time of the reading thread.
* ``load_avg_1m`` — the machine's load while the benchmark ran: wall-clock
  figures on a shared 2-core box mean little without it.

* ``ingest_reads_per_s`` — end-to-end ingest into SQLite (and PostgreSQL with
  ``--pg`` or SAFECITY_TEST_DATABASE_URL), from `benchmarks/anpr_ingest.py`,
  with the per-row ORM baseline measured in the same run.

``--unique-reasons`` gives every listed plate its own reason text (as FIR numbers
would), instead of one shared reason. ``--only matching`` (or ``ocr``, ``ingest``)
runs one part.

Usage: ``python benchmarks/anpr.py [--plates 1000000] [--reads 200000] [--repeat 5]
[--ocr 300] [--ingest 50000] [--only matching|ocr|ingest] [--unique-reasons]``
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from safecity.anpr import Watchlist, read_plate
from safecity.anpr.synthetic import synthetic_plates

SERIES_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"
BATCH = 1_000  # reads per match_many call: the ingest's batch size

_LOOK_ALIKES = {"0": "OD", "O": "0", "D": "0", "Q": "0", "1": "IL", "I": "1", "L": "1", "8": "B", "B": "8"}
_LOOK_ALIKES |= {"5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_plates(count: int, rng: random.Random) -> list[str]:
    """Plates spread over the national series space, as a real watchlist is.

    (The renderer's per-province generator draws from a few famous series only;
    a million plates from it would pack every neighbour of every plate.)
    """
    plates: set[str] = set()
    while len(plates) < count:
        series = "".join(rng.choices(SERIES_LETTERS, k=rng.choices((1, 2, 3), (5, 25, 70))[0]))
        digits = rng.choices((1, 2, 3, 4), (3, 7, 30, 60))[0]
        number = str(rng.randint(10 ** (digits - 1), 10**digits - 1))
        if rng.random() < 0.1:
            plates.add(f"{series}-{rng.randint(0, 24):02d}-{number}")
        else:
            plates.add(f"{series}-{number}")
    return sorted(plates)


def confuse(plate: str, rng: random.Random) -> str:
    chars = list(plate)
    positions = [i for i, c in enumerate(chars) if c in _LOOK_ALIKES]
    for i in rng.sample(positions, min(len(positions), rng.choice((1, 1, 2)))):
        chars[i] = rng.choice(_LOOK_ALIKES[chars[i]])
    return "".join(chars)


def drop_one(plate: str, rng: random.Random) -> str:
    compact = plate.replace("-", "")
    i = rng.randrange(len(compact))
    return compact[:i] + compact[i + 1 :]


def make_reads(listed: list[str], count: int, rng: random.Random) -> tuple[list[str], list[str | None]]:
    """Reads and the listed plate each should find (None: not listed)."""
    listed_set = set(listed)
    reads: list[str] = []
    truth: list[str | None] = []
    unlisted = (p for p in make_plates(count, random.Random(rng.random())) if p not in listed_set)
    for _ in range(count):
        kind = rng.random()
        plate = rng.choice(listed)
        if kind < 0.4:
            reads.append(plate)
        elif kind < 0.6:
            reads.append(confuse(plate, rng))
        elif kind < 0.8:
            reads.append(drop_one(plate, rng))
        else:
            plate = next(unlisted)
            reads.append(plate)
            truth.append(None)
            continue
        truth.append(plate)
    return reads, truth


def bench_watchlist(
    n_plates: int, n_reads: int, unique_reasons: bool = False, repeat: int = 5
) -> dict[str, Any]:
    rng = random.Random(20261123)
    log(f"generating {n_plates} plates")
    listed = make_plates(n_plates, rng)
    watchlist = Watchlist()
    started = time.perf_counter()
    if unique_reasons:
        watchlist.add_many((plate, "stolen", f"FIR {i}/2026") for i, plate in enumerate(listed))
    else:
        watchlist.add_many((plate, "stolen") for plate in listed)
    build_s = time.perf_counter() - started
    log(f"built in {build_s:.1f}s")
    reads, truth = make_reads(listed, n_reads, rng)
    started = time.perf_counter()
    watchlist.add("ZZZ-9999", "stolen")
    watchlist.remove("ZZZ-9999", "stolen")
    edit_ms = (time.perf_counter() - started) * 1000

    # The service runs a full collection after each reload (see `safecity.anpr.service`);
    # the benchmark also freezes its own million-item lists of plates and reads out of
    # the collector, so that what is timed is matching, not the harness's bookkeeping.
    gc.collect()
    gc.freeze()
    watchlist.match_many(reads[:10_000])  # warm the caches the same way for every measurement
    found = false_alarms = 0
    runs: list[tuple[float, float]] = []  # (CPU s, wall s) of each pass
    load_before = os.getloadavg()[0]
    for run in range(repeat):
        match_s = match_cpu_s = 0.0
        for start in range(0, len(reads), BATCH):  # tallied per batch and dropped, as the ingest does
            batch = reads[start : start + BATCH]
            started, cpu_started = time.perf_counter(), time.thread_time()
            hits_of = watchlist.match_many(batch)
            match_s += time.perf_counter() - started
            match_cpu_s += time.thread_time() - cpu_started
            if run:
                continue
            for hits, t in zip(hits_of, truth[start : start + BATCH], strict=True):
                if t is None:
                    false_alarms += bool(hits)
                else:
                    found += any(h.plate == t for h in hits)
        runs.append((match_cpu_s, match_s))
        log(f"pass {run + 1}: {len(reads) / match_cpu_s:,.0f} reads per CPU-s, load {os.getloadavg()[0]:.2f}")
    load_after = os.getloadavg()[0]

    match = watchlist.match
    some = reads[: len(reads) // 4]
    cpu_started = time.thread_time()
    singles = [match(read) for read in some]
    single_per_s = len(some) / (time.thread_time() - cpu_started)
    assert singles == watchlist.match_many(some), "match and match_many disagree"
    del singles
    every = watchlist.match_many(reads, exhaustive=True)
    found_exhaustive = sum(
        1 for hits, t in zip(every, truth, strict=True) if t and any(h.plate == t for h in hits)
    )
    del every
    gc.unfreeze()
    expected = sum(1 for t in truth if t)
    unlisted = len(truth) - expected

    exact = {plate.replace("-", ""): plate for plate in listed}
    compact_reads = [r.upper().replace("-", "").replace(" ", "") for r in reads]
    dict_runs = []
    for _ in range(repeat):
        started = time.thread_time()
        exact_found = sum(1 for r in compact_reads if exact.get(r) is not None)
        dict_runs.append(time.thread_time() - started)
    dict_s = statistics.median(dict_runs)

    sample = reads[:20]
    choices = list(exact)
    started = time.thread_time()
    for read in sample:
        process.extract(
            read.replace("-", ""), choices, scorer=Levenshtein.distance, score_cutoff=1, limit=None
        )
    scan_s = time.thread_time() - started

    per_cpu_s = sorted(len(reads) / cpu for cpu, _ in runs)
    reads_per_s = statistics.median(per_cpu_s)
    return {
        "watchlist": n_plates,
        "watchlist_build_s": round(build_s, 2),
        "watchlist_edit_ms": round(edit_ms, 2),
        "watchlist_unique_reasons": unique_reasons,
        "reads": len(reads),
        "batch": BATCH,
        "repeat": repeat,
        "reads_per_s_per_core": round(reads_per_s),
        "reads_per_s_per_core_runs": [round(r) for r in per_cpu_s],
        "reads_per_s_wall": round(statistics.median(len(reads) / wall for _, wall in runs)),
        "match_cpu_s_median": round(statistics.median(cpu for cpu, _ in runs), 3),
        "load_avg_1m_matching": [round(load_before, 2), round(load_after, 2)],
        "single_read_match_per_s_per_core": round(single_per_s),
        "recall_listed": round(found / expected, 4),
        "recall_listed_exhaustive": round(found_exhaustive / expected, 4),
        "unlisted_reads_with_hits": round(false_alarms / max(1, unlisted), 4),
        "baseline_exact_dict_per_s": round(len(reads) / dict_s),
        "baseline_exact_dict_recall": round(exact_found / expected, 4),
        "baseline_rapidfuzz_scan_per_s": round(len(sample) / scan_s, 2),
        "ratio_vs_rapidfuzz_scan": round(reads_per_s / (len(sample) / scan_s)),
        "ratio_vs_exact_dict": round(reads_per_s / (len(reads) / dict_s), 3),
    }


def bench_ocr(count: int) -> dict[str, Any]:
    started = time.perf_counter()
    read_plate(next(iter(synthetic_plates(1, seed=999)))[0])
    first_s = time.perf_counter() - started
    plates = list(synthetic_plates(count, seed=424242))
    timings: list[float] = []
    cpu: list[float] = []
    exact = 0
    for image, truth in plates:
        started, cpu_started = time.perf_counter(), time.thread_time()
        read = read_plate(image)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
        exact += read.text == truth
    timings.sort()
    return {
        "ocr_plates": count,
        "ocr_first_read_s": round(first_s, 2),
        "ocr_ms_p50": round(statistics.median(timings), 2),
        "ocr_ms_p90": round(timings[int(0.9 * (len(timings) - 1))], 2),
        "ocr_cpu_ms_p50": round(statistics.median(cpu), 2),
        "ocr_exact": round(exact / count, 4),
    }


def bench_ingest(n_reads: int, pg_url: str | None) -> dict[str, Any]:
    """End-to-end ingest (JSON batch → committed rows, hits, outbox, audit), as in
    ``benchmarks/anpr_ingest.py`` (which has the details), on SQLite and, given a
    URL, on a scratch PostgreSQL database."""
    import tempfile
    from pathlib import Path

    import anpr_ingest  # the sibling script: run as ``python benchmarks/anpr.py``

    rng = random.Random("listed-6")
    listed = sorted({anpr_ingest._plate(rng) for _ in range(anpr_ingest.LISTED)})
    batches = anpr_ingest.make_batches(n_reads, listed, 6)
    baseline = anpr_ingest.make_batches(max(1000, n_reads // 20), listed, 7)
    with tempfile.TemporaryDirectory() as tmp:
        sq = anpr_ingest.measure(f"sqlite:///{Path(tmp) / 'bench.db'}", batches, baseline, listed)
    result: dict[str, Any] = {
        "ingest_reads": n_reads,
        "ingest_reads_per_s": sq["reads_per_s"],
        "ingest_reads_per_cpu_s": sq["reads_per_cpu_s"],
        "ingest_baseline_per_row_orm_reads_per_s": sq["baseline"],
        "ingest_postgresql_reads_per_s": None,
    }
    if pg_url:
        url, drop = anpr_ingest._scratch_pg(pg_url)
        try:
            pg = anpr_ingest.measure(url, batches, baseline, listed)
        finally:
            drop()
        result["ingest_postgresql_reads_per_s"] = pg["reads_per_s"]
        result["ingest_postgresql_baseline_per_row_orm_reads_per_s"] = pg["baseline"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plates", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=200_000)
    parser.add_argument("--ocr", type=int, default=300)
    parser.add_argument("--ingest", type=int, default=50_000, help="reads for the ingest figure (0: skip)")
    parser.add_argument("--pg", default=os.environ.get("SAFECITY_TEST_DATABASE_URL"))
    parser.add_argument("--unique-reasons", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the reads (median reported)")
    parser.add_argument("--only", choices=("matching", "ocr", "ingest"), help="run one part (default: all)")
    args = parser.parse_args()
    result: dict[str, Any] = {}
    if args.only in (None, "matching"):
        result |= bench_watchlist(args.plates, args.reads, args.unique_reasons, max(1, args.repeat))
        log("watchlist done")
    if args.only in (None, "ocr"):
        result |= bench_ocr(args.ocr)
        log("OCR done")
    if args.only in (None, "ingest") and args.ingest:
        result |= bench_ingest(args.ingest, args.pg)
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
