"""The application layer: the workflows the CLI and the GUI both call.

Everything that reads or writes the store on a user's behalf lives here (ingest a document,
label it with the configured labeler, review, train and promote, export), each a plain function
taking the settings, the store, a progress callback and a cancel token. `soe ...` commands and
the window only parse input, schedule these and show the result (docs/ARCHITECTURE.md).
"""
