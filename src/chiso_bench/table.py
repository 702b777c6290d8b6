"""The result table (markdown), with targets judged met or not, and the machine it ran on."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path

from chiso_bench.config import GIB, JOBS, TARGETS
from chiso_bench.portal import fanout_rows
from chiso_bench.portal import rows as portal_rows
from helpers.batch import NOTEBOOKS


def fmt_s(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def fmt_bytes(x: float | None) -> str:
    return "–" if x is None else f"{x / 1024**2:.0f} MiB" if x < GIB else f"{x / GIB:.2f} GiB"


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def machine() -> dict:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "memory_bytes": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.machine(),
    }


def _met(ok: bool | None) -> str:
    return "–" if ok is None else "met" if ok else "NOT met"


def _by_phase(f: dict) -> str:
    return ", ".join(f"{phase} {fmt_bytes(b)}" for phase, b in f.get("peak_by_phase", {}).items())


def _phases(f: dict) -> str:
    """Where the time of a finished national pipeline went."""
    per_file = 1000 * f["parse_s"] / max(f["files_parsed"], 1)
    return (
        f"parse {fmt_s(f['parse_s'])} over {f['jobs']} process(es), {per_file:.2f} ms a file, "
        f"{f['records_parsed'] / max(f['parse_s'], 1e-9):,.0f} records/s; the store read to add to it "
        f"{fmt_s(f.get('stored_s'))}; merge {fmt_s(f['merge_s'])} ({f['conflicts']} conflicts); "
        f"write {fmt_s(f['write_s'])}; read back {fmt_s(f['read_s'])}; "
        f"score+rank of {f['districts_scored']} districts {fmt_s(f['score_rank_s'])}"
    )


def _pipeline_row(label: str, prefix: str, run: dict, suffix: str) -> tuple[str, str, str, str]:
    """A table row for a smaller national pipeline run: its files, records, phases and peak; or its error."""
    if not run.get("finished"):
        return (label, f"error: {run.get('error', 'did not finish')}", "", "")
    rate = run["records"] / run["elapsed_s"] if run["elapsed_s"] else 0
    return (
        (f"{label} ({prefix}{run['files_total']} files, {run['records']:,} records){suffix}: {_phases(run)}; "
         f"peak {fmt_bytes(run['peak_tree_rss'])}"),
        f"{fmt_s(run['elapsed_s'])}; {rate:,.0f} records/s",
        "",
        "",
    )


def _plan_row(p: dict, label: str, detail) -> tuple[str, str, str, str]:
    """A row of the batch's planning: "label (detail(p); peak ...)" and its time, or its error."""
    if "seconds" not in p:
        return label, f"error: {p.get('error')}", "", ""
    return f"{label} ({detail(p)}; peak {fmt_bytes(p['peak_rss'])})", fmt_s(p["seconds"]), "", ""


def table(results: dict) -> str:
    rows: list[tuple[str, str, str, str]] = []
    a = results.get("batch")
    if a:
        speed = a.get("speedup")
        rows.append(
            (
                (
                    f"a. weekly batch, {len(a['districts'])} districts, {a['week']}, jobs={a['jobs']} "
                    f"(median of {a['runs']}; run_report itself {fmt_s(median([x for x in a['batch_run_report_s'] if x]))})"
                ),
                fmt_s(a["batch_median_s"]),
                "",
                "",
            )
        )
        rows.append(
            (
                f"a. naive baseline: {a['naive_commands']} command lines in sequence (median of {a['runs']})",
                fmt_s(a["naive_median_s"]),
                "",
                "",
            )
        )
        rows.append(
            (
                "a. speed-up batch vs naive",
                "–" if speed is None else f"{speed:.2f}×",
                f"≥ {TARGETS['speedup']:g}×",
                _met(None if speed is None else speed >= TARGETS["speedup"]),
            )
        )
        hit = a.get("cache_hit_run_report_median_s")
        rows.append(
            (
                (
                    f"b. re-run, nothing changed: run_report (whole command incl. interpreter start "
                    f"{fmt_s(a.get('cache_hit_median_s'))}); cached: {', '.join(a.get('cache_hit_cached') or []) or 'none'}"
                ),
                fmt_s(hit),
                f"< {TARGETS['cache_hit_s']:g} s",
                _met(None if hit is None else hit < TARGETS["cache_hit_s"]),
            )
        )
        again = {s: n for s, n in (a.get("changed_reexecuted") or {}).items() if n}
        what = "; ".join(f"{s}: {', '.join(n)}" for s, n in again.items()) or "nothing"
        rows.append(
            (
                (
                    f"b. re-run, {a['changed_district']} raw file changed: run_report (whole command "
                    f"{fmt_s(a.get('changed_median_s'))}); re-executed: {what}"
                ),
                fmt_s(a.get("changed_run_report_median_s")),
                "",
                "",
            )
        )
    c = results.get("national")
    if c:
        f = c["full"]
        national = c["districts"] >= 700 and c["weeks"] >= 52  # the size the targets are about

        def judged(ok: bool | None) -> str:
            return _met(ok) if national else "– (smaller than the national set)"

        label = (
            f"c. SYNTHETIC national set: {c['districts']} districts × {c['weeks']} weeks, {c['files']} files, "
            f"{c['records_expected']} records: ingest (one store write) + score + rank of {c['week']}"
        )
        if f.get("error"):
            rows.append((label, f"error: {f['error']}", "", ""))
        elif f.get("finished"):
            rows.append(
                (
                    label + f" ({_phases(f)})",
                    f"{fmt_s(f['elapsed_s'])}; {f['records'] / f['elapsed_s']:,.0f} records/s",
                    "measured (no longer a target)",
                    "",
                )
            )
        else:
            rows.append(
                (
                    label + f": stopped at the {c['budget_s']:.0f} s budget while in '{f['phase']}' "
                    f"({f['files_parsed']} of {f['files_total']} files parsed, parse {fmt_s(f['parse_s'])}, "
                    f"merge {fmt_s(f['merge_s'])}); nothing stored",
                    f"> {fmt_s(f['elapsed_s'])}",
                    "measured (no longer a target)",
                    "",
                )
            )
        if not f.get("error"):
            rows.append(
                (
                    (
                        "c. peak memory: this process and its parsing workers together (sampled from /proc every "
                        f"0.1 s; by phase: {_by_phase(f)}); the main process alone {fmt_bytes(f['peak_rss'])} "
                        f"(ru_maxrss; {fmt_bytes(f['rss_imports'])} after imports)"
                    ),
                    fmt_bytes(f["peak_tree_rss"]),
                    f"< {fmt_bytes(TARGETS['national_bytes'])}",
                    judged(f["peak_tree_rss"] < TARGETS["national_bytes"]),
                )
            )
        fl = c.get("floor")
        if fl:
            label = (
                f"c. the floor under any Python ingest of the same files, over {f.get('jobs')} processes: read, "
                f"decode, split into lines and tokens, {fl.get('rows_per_file')} record rows a file and their "
                f"frames, interpreting nothing (median of {len(fl.get('times', []))}; the real parse "
                f"{fmt_s(f.get('parse_s'))})"
            )
            rows.append((label, f"error: {fl['error']}" if fl.get("error") else fmt_s(fl["seconds"]), "", ""))
        n = c.get("next_week")
        if n:
            rows.append(_pipeline_row("c. the following week", f"{n.get('week')}: ", n,
                                      f" added to that store of {c['weeks']} weeks"))
        if c.get("plan"):
            rows.append(_plan_row(
                c["plan"], "c. the weekly batch's planning over that store",
                lambda p: f"`make report` before any notebook runs: {p['files']:,} raw files hashed against it, "
                          f"nothing new; the store read; the cache keys of {p['districts']} districts"))
        if c.get("plan_new_week"):
            rows.append(_plan_row(
                c["plan_new_week"], "c. the same planning on a Monday",
                lambda p: f"the store of {c['weeks']} weeks, the new week's {p['files_added']:,} files among the "
                          "raw ones, parsed and stored in one write, which this process keeps instead of reading "
                          "the store back; the cache keys"))
        r = c.get("reports")
        if r:
            done = not r.get("error") and not r.get("failures")
            rows.append(
                (
                    f"c. the weekly batch of {len(r['slugs'])} districts over that store (`make report "
                    f"DISTRICTS=...`, jobs={JOBS}: planning, {r['notebooks']} notebooks executed in "
                    f"{r['notebook_s']:.1f} s of papermill time, {len(r['done'])} reports rendered; whole command "
                    f"{fmt_s(r['wall_s'])})"
                    if done
                    else f"c. the weekly batch of {len(r['slugs'])} districts over that store",
                    fmt_s(r["run_s"]) if done else f"error: {r.get('error') or r.get('failures')}",
                    "",
                    "",
                )
            )
        w = c.get("one_week")
        if w:
            rows.append(_pipeline_row("c. one week of the national set", "", w, ""))
    d = results.get("render")
    if d:
        prep = d.get("prep", {})
        check = prep.get("same_as_papermill")
        note = (
            "same HTML outputs as a papermill run"
            if check
            else "differs from a papermill run"
            if check is False
            else "not checked"
        )
        r1, r2 = d.get("jobs1", {}), d.get(f"jobs{JOBS}", {})
        for jobs, r in ((1, r1), (JOBS, r2)):
            rows.append(
                (
                    (
                        f"d. render_report, {d['districts']} SYNTHETIC districts, {jobs} process(es) "
                        f"(notebooks built in-process: {note})"
                    ),
                    f"{r['per_minute']:.1f} reports/min ({fmt_s(r['seconds'])})"
                    if "per_minute" in r
                    else f"error: {r.get('error')}",
                    "",
                    "",
                )
            )
        if "per_minute" in r1 and "per_minute" in r2:
            rows.append(
                (
                    f"d. throughput {JOBS} processes / 1 process",
                    f"{r2['per_minute'] / r1['per_minute']:.2f}×",
                    "grows with jobs (> 1×)",
                    _met(r2["per_minute"] > r1["per_minute"]),
                )
            )
    rows += portal_rows(results.get("portal"))
    rows += fanout_rows(results.get("fanout"))
    lines = ["| measurement | result | target | |", "|---|---|---|---|"]
    lines += [f"| {m} | {r} | {t} | {ok} |" for m, r, t, ok in rows]
    return "\n".join(lines)


def markdown(results: dict) -> str:
    m = results["machine"]
    head = (
        f"Benchmark {results['mode']} run, {results['date']}: {m['nproc']} CPUs, "
        f"{fmt_bytes(m['memory_bytes'])} memory, Python {m['python']}, {m['platform']}; "
        f"total {results['total_s'] / 60:.1f} min ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in results.get("part_s", {}).items())
        + ").\n\n"
    )
    notes = []
    a = results.get("batch")
    if a:
        bp, np_ = a.get("batch_notebooks") or {}, a.get("naive_notebooks") or {}
        if bp.get("notebooks"):
            notes.append(
                f"Batch notebooks (last run): {bp['notebooks']} executed, {bp['notebook_s']:.1f} s in "
                f"papermill of which {bp['cells_s']:.1f} s inside cells and {bp['outside_cells_s']:.1f} s "
                "outside (papermill's own work, the namespace reset and, in each worker's first notebook, "
                "waiting for its kernel; one kernel per worker, see helpers.kernel)."
            )
        if np_.get("notebooks"):
            notes.append(
                f"Naive notebooks (last run): {np_['notebook_s']:.1f} s in papermill, {np_['cells_s']:.1f} s "
                "inside cells (the rest: a kernel started and shut down per notebook)."
            )
        cli = a.get("cli_start") or {}
        if cli.get("as_installed_s") and cli.get("without_s") and a.get("naive_median_s"):
            extra = cli["as_installed_s"] - cli["without_s"]
            affected = len(a["districts"]) * (len(NOTEBOOKS) + 1)  # papermill and nbconvert commands
            fair = a["naive_median_s"] - affected * extra
            notes.append(
                f"The papermill command starts in {cli['as_installed_s']:.2f} s as installed and "
                f"{cli['without_s']:.2f} s without the optional rfc3987_syntax package, which the batch's "
                f"processes skip (helpers/__init__.py); the naive baseline pays it in its {affected} papermill "
                f"and nbconvert commands. Without it the naive baseline would take about {fair:.1f} s and the "
                f"speed-up would be {fair / a['batch_median_s']:.2f}×."
            )
        notes.extend(f"Note: {n}" for n in a.get("notes", []))
        for e in a.get("errors", []):
            notes.append(f"Error: {e}")
    c = results.get("national")
    if c:
        notes.append(
            f"The SYNTHETIC national data set took {c['generate_s']:.0f} s to write (not measured above)."
        )
    body = head + table(results) + "\n"
    if notes:
        body += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    return body
