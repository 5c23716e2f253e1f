"""The performance suite (DESIGN §11): `make bench`, or `python -m benchmarks`.

Every figure is printed beside a baseline measured in the same run, with the ratio and
the budget from the issue; the runner exits non-zero when a budget is missed.  These are
benchmarks, not tests: the files are named `bench_*.py` and pytest never collects them.

How a benchmark module joins the table (see `benchmarks.common`):

- name it `benchmarks/bench_<what>.py`;
- give it `collect(runs: int) -> list[Figure]`, which measures one warm-up and then
  `runs` timed repetitions (alternating maca and baseline) and returns one `Figure` per
  line of the table, each tagged with the issue's item number;
- import the feature it measures at module level, so that while the feature does not
  exist yet the module fails to import and the runner lists its items as "not built yet".

A `bench_*.py` without `collect()` is someone's standalone script: the runner runs it
in a subprocess after the table and prints its output, but it cannot pass or fail.
"""
