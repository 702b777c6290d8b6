"""The benchmark (`make bench`, `python -m chiso_bench [--quick]`): measures, never asserts.

Every measurement runs on scratch copies in a temporary directory (CHISO_STORE, CHISO_OUTPUTS,
CHISO_RAW and, for the synthetic data, CHISO_PARAMS point there), in child processes, so the
project's data/ and outputs/ are never touched; only the result table is written, to
outputs/bench/bench.md and outputs/bench/bench.json.

a. The weekly batch of the districts in params/ (`helpers.batch.run_report(WEEK, None, jobs=2,
   force=True, quiet=True)` in a fresh interpreter, empty store and outputs) against a naive
   baseline run of command lines, interleaved (batch, naive, batch, naive, ...), median of the runs:
   the naive side runs `papermill IN OUT -y PARAMS -k KERNEL --cwd notebooks` once per notebook
   (all districts' 01_ingest first, then 02, 03, 04, so every notebook sees the same store as in
   the batch), then per district `jupyter nbconvert --to html --no-input` on 04_narrative and the
   `weasyprint` command line on that HTML for the PDF. Both sides start from an empty store and
   outputs folder and produce four executed notebooks, an HTML and a PDF per district; the naive
   HTML is nbconvert's default template without code (not the project's cleaned report), and the
   naive side writes no index page.
b. Right after: the batch again with nothing changed (cache hit), then after appending a blank
   line to one district's raw file (a new SHA-256: ingested again, that district re-executed).
c. Ingest + score + rank over the SYNTHETIC national data set of chiso_bench.synthetic (about 700
   districts × 52 weeks): `helpers.ingest.ingest_paths` over every file (parsed over a process pool,
   one store write), then the store read back and every district scored and ranked for the last
   week (`rank.ranked_table`, what `chiso rank` prints), in a child process with a time budget;
   the time of each phase, records per second and peak memory (the child and its parsing workers
   together, sampled from /proc). When the budget runs out the run stops and the table says in
   which phase. Then the week after it (700 more files, the same walk continued) is added to that
   store and scored and ranked: the weekly operation at national scale. Then the batch's planning for
   all 700 districts (`batch.plan_batch`: what `make report` does before any notebook runs), over
   the store of 53 weeks, and on a Monday (the store of 52 weeks, the new week's files among the raw
   ones); then the weekly batch of a few districts over that store (notebooks and reports).
   The full run also measures the same pipeline on one week of the national set (700 files).
d. Rendering throughput (reports per minute) of `helpers.render.render_report` on SYNTHETIC
   districts with 1 and 2 processes. The 04_narrative notebooks rendered are built in-process:
   a copy of notebooks/04_narrative.ipynb whose output cell holds what that cell displays when
   executed (`report.build_report(week).parts` as text/html display outputs); the benchmark checks
   one of them against a papermill execution of the same district (kernel start-up is not part
   of rendering, and executing 50 × 4 notebooks would not fit the time the benchmark may take).

Modules: config (what runs, targets), processes (child processes and their results), children (what
runs inside one), batch (a and b), national (c), render (d), table (the result table), __main__.

Targets (reported as met / not met, never asserted): batch ≥ 4× faster than the naive baseline;
unchanged re-run < 2 s; national data set ingested, scored and ranked in < 10 s with < 1 GiB peak
memory; rendering throughput grows with the number of processes.
"""
