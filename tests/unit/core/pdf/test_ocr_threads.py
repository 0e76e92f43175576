"""OCR in a Dask worker uses one onnxruntime thread: onnxruntime ignores OMP_NUM_THREADS, which
Dask sets to 1 in each worker process, so two workers on two cores would each start a pool of
every core's threads."""

from __future__ import annotations

import numpy as np
import pytest

from soe_desktop.core.pdf import ocr

pytestmark = pytest.mark.skipif(not ocr.ocr_available(), reason="the OCR extra is not installed")


@pytest.mark.parametrize("omp, expected", [("1", 1), ("", 0)])  # 0: onnxruntime's default, every core
def test_the_recogniser_takes_its_thread_count_from_omp_num_threads(monkeypatch, omp, expected):
    monkeypatch.setenv("OMP_NUM_THREADS", omp)
    ocr._engine.cache_clear()
    try:
        engine = ocr._engine()
        engine(np.full((64, 256, 3), 255, np.uint8))  # the models load on first use
        assert engine.text_det.session.session.get_session_options().intra_op_num_threads == expected
    finally:
        ocr._engine.cache_clear()
