"""The reading benchmark keeps working (its full run is `python -m bench bench_reading`)."""

from __future__ import annotations

from bench import bench_reading


def test_bench_reading_smoke(capsys):
    assert bench_reading.main(["--rows", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "read + validate:" in out and "(0 errors)" in out
