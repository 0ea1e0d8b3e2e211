"""Importing a quarter's plan spreadsheet, and the plan admin's journey through it.

Each job has its module, read in this order:

- `reading`: safe reading of the bytes (size, zip checks, macros, encodings), sheet by sheet;
- `layout`: which column holds which part of the plan;
- `parsing`: each row into a `PlanRow`, or a `Problem` naming its sheet, row and column (`rows`);
- `compare`: `preview_import`, what applying would do; writes nothing;
- `apply`: `apply_import`, one transaction or nothing; `hold_upload` keeps a file between preview and confirm;
- `undo`: `undo_import`, and why an import cannot be undone.

`views`, `forms` and `urls` are the web journey (upload, preview, confirm, history, undo). The management
command `import_plan`, the seed and the web import all go through these functions; there is no other way in.
"""
