"""Qt-free core: every long step is a plain function taking a progress callback and a cancel token."""
