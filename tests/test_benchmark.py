"""The benchmark runs (quick sizes) and writes its JSON; nothing here is timed."""

from __future__ import annotations

import json

from highroad.benchmarks.__main__ import main


def test_quick_benchmark_writes_its_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--quick", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    for key in ["sizes", "scaling_exponent_top_two", "peak_bytes_per_worker", "reference_run",
                "classroom_steps_per_second", "sweep"]:
        assert key in result
    row = next(iter(result["sizes"].values()))
    assert row["modules_on_worker_steps_per_second"] > 0
    assert row["mesa_agent_steps_per_second"] > 0
    assert "worker-steps/s" in capsys.readouterr().out
