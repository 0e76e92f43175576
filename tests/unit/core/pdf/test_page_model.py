"""The page model's JSON weights and the grouped cross-validation that fits them."""

from __future__ import annotations

import json

import pytest

from soe_desktop.core.evaluation import page_model_fit
from soe_desktop.core.pdf.page_model import LogisticModel, load_model, load_page_model, logit, sigmoid


def test_sigmoid_and_logit_are_inverse_and_stable():
    assert sigmoid(0.0) == 0.5
    assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0
    assert sigmoid(logit(0.83)) == pytest.approx(0.83)


def test_logistic_model_standardises_and_round_trips(tmp_path):
    model = LogisticModel(("a", "b"), (1.0, 0.0), (2.0, 1.0), (2.0, -1.0), 0.5, {"note": "x"})
    assert model.decision({"a": 3.0, "b": 1.0}) == pytest.approx(0.5 + 2.0 * 1.0 - 1.0)
    assert model.decision({}) == pytest.approx(0.5 - 1.0)  # missing features count as 0
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(model.to_json()))
    again = load_model(path)
    assert again.predict([{"a": 3.0, "b": 1.0}]) == model.predict([{"a": 3.0, "b": 1.0}])
    assert again.meta == {"note": "x"}


def test_inconsistent_weights_are_refused():
    data = LogisticModel(("a", "b"), (0.0, 0.0), (1.0, 1.0), (1.0, 1.0), 0.0).to_json()
    data["coef"] = [1.0]
    with pytest.raises(ValueError):
        LogisticModel.from_json(data)


def test_shipped_weights_record_their_cross_validation():
    model = load_page_model()
    cv = model.meta["cross_validation"]
    assert cv["grouped_by"] == "document" and cv["folds"] >= 5
    assert 0.0 < cv["page_f1"] <= 1.0


@pytest.fixture(scope="module")
def synthetic_rows(tmp_path_factory):
    from soe_desktop.core.evaluation.corpus import load_corpus
    from soe_desktop.core.synthetic import write_corpus_dir

    directory = tmp_path_factory.mktemp("fitcorpus")
    write_corpus_dir(directory, n_documents=3, seed=5)
    return page_model_fit.extract(load_corpus(directory))


def test_fit_separates_soe_pages_of_a_synthetic_corpus(synthetic_rows):
    model = page_model_fit.fit(synthetic_rows)
    scores = {row.document.name: model.predict(row.features) for row in synthetic_rows}
    metrics = page_model_fit.evaluate_scores(synthetic_rows, scores)
    assert metrics.recall == 1.0 and metrics.precision >= 0.8


def test_fold_models_never_see_the_document_they_score(synthetic_rows, monkeypatch):
    trained_on = {}
    real_fit = page_model_fit.fit

    def recording_fit(rows, names=None):
        model = real_fit(rows, names)
        trained_on[id(model)] = {row.document.name for row in rows}
        return model

    monkeypatch.setattr(page_model_fit, "fit", recording_fit)
    models = page_model_fit.fold_models(synthetic_rows, folds=3)
    assert set(models) == {row.document.name for row in synthetic_rows}
    assert len(trained_on) == 3
    for name, model in models.items():
        assert name not in trained_on[id(model)]


def test_the_page_model_is_fitted_on_the_text_layer_unless_ocr_is_asked_for(synthetic_rows):
    """Fitted on OCR'd pages, a model would learn that text-less pages are never SoE and stop
    picking pictured pages for OCR; experiments can still ask for the pages the pipeline reads."""
    import json

    from soe_desktop.core.pdf.ocr import ocr_available

    assert not any(page.ocr for row in synthetic_rows for page in row.pages)
    if not ocr_available():
        pytest.skip("the optional OCR engine is not installed")
    (row,) = page_model_fit.extract([synthetic_rows[0].document], ocr=True)
    labels = json.loads((row.document.pdf_path.parent / "labels.json").read_text())
    read = [page.number for page in row.pages if page.ocr]
    assert labels["image_only_pages"] and set(labels["image_only_pages"]) <= set(read)
    assert all(row.features[n - 1]["has_text"] == 1.0 for n in read)
