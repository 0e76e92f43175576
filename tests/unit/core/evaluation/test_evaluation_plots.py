from soe_desktop.core.evaluation.plots import pr_curve_png, reliability_png

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_pr_and_reliability_pngs_are_written(tmp_path):
    curves = {"student": ([0.9, 0.8, 0.3, 0.1], [True, True, False, True]),
              "teacher": ([0.6, 0.6, 0.6, 0.4], [True, True, False, True]),
              "nothing to find": ([0.1], [False])}
    pr = pr_curve_png(curves, tmp_path / "plots" / "pr.png")
    reliability = reliability_png(curves, tmp_path / "reliability.png")
    for path in (pr, reliability):
        assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 5_000
