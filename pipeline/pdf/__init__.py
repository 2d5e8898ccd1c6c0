"""PDF craft that assembling and signing both need: the dossier's assembly, the embedded font,
the signature-mark protocol and fields, reproducible bytes, attached pieces.
Nothing here knows a convention: documents, parties, roles and committees are not named."""
