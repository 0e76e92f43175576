from soe_desktop.core.model import Candidate, Label
from soe_desktop.core.training.features import GROUP_MAX, GROUP_PAGES
from soe_desktop.core.training.dataset import build_training_set, document_folds, split_documents

from .conftest import make_candidates, teacher_labels


def test_filtered_set_keeps_only_agreeing_confident_teacher_labels(tiny_candidates):
    labels = teacher_labels(tiny_candidates)
    filtered = build_training_set(tiny_candidates, labels, "teacher-filtered", threshold=0.8)
    everything = build_training_set(tiny_candidates, labels, "teacher-all")
    kept_ids = {e.candidate.id for e in filtered.examples}
    expected = {l.candidate_id for l in labels if l.agree and l.confidence >= 0.8}
    assert kept_ids == expected
    assert len(everything) == len(tiny_candidates)
    assert filtered.coverage == len(expected) / len(labels)


def test_human_labels_win_and_student_labels_are_never_trained_on(tiny_candidates):
    first, second = tiny_candidates[0], tiny_candidates[1]
    labels = [
        Label(first.id, True, 0.99, "heuristic", agree=True, id=1),
        Label(first.id, False, 1.0, "human:ann", id=2),
        Label(second.id, True, 0.99, "student:v1", id=3),
    ]
    combined = build_training_set(tiny_candidates, labels, "human+teacher-filtered")
    assert [(e.candidate.id, e.is_soe, e.label_source) for e in combined.examples] == [(first.id, False, "human:ann")]
    assert len(build_training_set(tiny_candidates, labels, "human")) == 1


def test_retracted_labels_are_ignored(tiny_candidates):
    label = Label(tiny_candidates[0].id, True, 1.0, "human:ann", id=1, details={"retracted": True})
    assert len(build_training_set(tiny_candidates, [label], "human")) == 0


def test_split_is_by_document_and_seeded(tiny_candidates):
    dataset = build_training_set(tiny_candidates, teacher_labels(tiny_candidates), "teacher-all")
    train, validation = dataset.split(0.34, seed=3)
    assert set(train.documents).isdisjoint(validation.documents)
    assert len(train) + len(validation) == len(dataset)
    assert len(validation.documents) == 2
    assert dataset.split(0.34, seed=3)[1].documents == validation.documents


def test_split_keeps_training_documents_when_there_are_few():
    assert split_documents(["a"], 0.5) == (["a"], [])
    assert split_documents(["a", "b"], 0.9) == (["a"], ["b"]) or split_documents(["a", "b"], 0.9) == (["b"], ["a"])


def test_folds_partition_documents():
    folds = document_folds([f"d{i}" for i in range(10)], 3, seed=1)
    assert len(folds) == 3
    assert sorted(d for fold in folds for d in fold) == sorted(f"d{i}" for i in range(10))


def test_class_weights_balance_the_loss():
    candidates = make_candidates(n_documents=2, per_document=8)
    labels = [Label(c.id, c.page <= 2, 1.0, "human:a", id=i) for i, c in enumerate(candidates)]
    dataset = build_training_set(candidates, labels, "human")
    negative, positive = dataset.class_weights()
    assert dataset.positives == 4
    assert positive * dataset.positives == negative * (len(dataset) - dataset.positives)


def test_soft_targets_are_the_teachers_probability_and_humans_stay_certain(tiny_candidates):
    first, second = tiny_candidates[0], tiny_candidates[-1]
    labels = [Label(first.id, True, 0.7, "heuristic", agree=True, id=1),
              Label(second.id, False, 0.9, "human:ann", id=2)]
    dataset = build_training_set([first, second], labels, "human+teacher-filtered", threshold=0.5)
    by_id = {example.candidate.id: example for example in dataset.examples}
    assert by_id[first.id].soft_target == 0.7
    assert by_id[second.id].soft_target == 0.0 and by_id[second.id].p_soe is None


def test_table_cues_come_from_every_page_of_the_table_even_where_the_filter_drops_a_label():
    pages = [Candidate(f"c{page}", "doc", page, (0, 0, 1, 1), "pdfplumber", [["a"]], group="c1",
                       features={"mark_cell_share": share}) for page, share in ((1, 0.4), (2, 0.0))]
    labels = [Label("c1", True, 0.6, "heuristic", agree=False, id=1),  # dropped by the filter
              Label("c2", True, 0.95, "heuristic", agree=True, id=2)]
    dataset = build_training_set(pages, labels, "teacher-filtered", threshold=0.8)
    [kept] = dataset.examples
    assert kept.candidate.id == "c2" and kept.candidate.features[GROUP_PAGES] == 2.0
    assert kept.candidate.features[GROUP_MAX + "mark_cell_share"] == 0.4
