"""Everything one convention knows: its schema and loading (model), the rules of its yearly
cycle (rules), the catalogue of its documents and signers (catalogue), the context and wording
its templates are filled with (documents, reference, the bilan's chart), its actions sheet and
the scaffolding of a new convention or year. Loading it loads no PDF, Word or LibreOffice code."""
