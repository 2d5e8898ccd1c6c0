"""Everything one convention knows: its schema and loading (model), the rules of its yearly
cycle (rules), the catalogue of its documents and signers (catalogue), the context and wording
its templates are filled with (documents, reference, the bilan's chart), its actions sheet and
the scaffolding of a new convention or year. Loading it loads no PDF, Word or LibreOffice code. Two of its
modules import nothing at all, the catalogue of documents and the yearly cycle (cycle): the
lower floors that must stay light (places, manifest) ask them rather than restate them.

One family of conventions, on purpose: a Métropole that pays a yearly participation and an
association that calls it, each represented by one signatory, with a steering committee that
adopts the year's programme. The two parties are a fixed pair (``Convention.metropole`` and
``.association``, ``signe_pour`` naming one of them), because every convention the AR Hlm signs
with a métropole has that shape: their names, amounts, committees, pieces and dates are data
(convention.yaml), never code. A partnership of another shape (three parties, a payer that
calls) would key the parties by role; nothing asks for it today.
"""
