"""Synthetic clinical-trial protocols with exact page labels, for tests, demos and benchmarks.

See `generator.write_protocol` for what a protocol contains and `SyntheticTruth` for its labels.
"""

from soe_desktop.core.synthetic.files import write_bad_inputs, write_corpus_dir, write_sample_protocol
from soe_desktop.core.synthetic.generator import write_protocol
from soe_desktop.core.synthetic.truth import SyntheticTruth

__all__ = ["SyntheticTruth", "write_protocol", "write_sample_protocol", "write_corpus_dir", "write_bad_inputs"]
