# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Facts that must outlive the job that learnt them: written and committed at once.

A job's transaction may still roll back (the job fails, is retried, its
worker is killed), yet some of what it learns must stay: that a brew's
start was sent, the tokens an API just handed out, the calls spent. A model
that keeps such facts inherits ``coffee.committed.mixin``:

* ``_committed_env(lock=False)`` yields the record that holds them (the
  record itself, or the row it keeps them in: ``_committed_record``) in a
  side transaction that commits on exit (``side_transaction.py``); with
  ``lock``, its row is locked first, which serializes two workers;
* ``_store(values)`` writes ``values`` there, commits, and shows what was
  committed to the caller's transaction too (its REPEATABLE READ snapshot
  would otherwise keep the old values for the rest of the job);
* ``_committed_read(fnames)`` reads the fields as last committed by anyone,
  not as the caller's snapshot has them.
"""

from contextlib import contextmanager

from odoo import models

from ..side_transaction import side_transaction


class CoffeeCommittedMixin(models.AbstractModel):
    _name = "coffee.committed.mixin"
    _description = "Coffee: facts committed at once"

    def _committed_record(self):
        """The record holding the committed facts (``self`` by default)."""
        return self

    @contextmanager
    def _committed_env(self, lock=False):
        """Yield the committed record (sudo) in a side transaction."""
        self.ensure_one()
        record = self._committed_record()
        lock = (record._table, record.id) if lock else None
        with side_transaction(self.env, lock=lock) as env:
            yield record.with_env(env)

    def _store(self, values):
        """Write ``values`` on the committed record and commit them at once."""
        with self._committed_env() as record:
            before = {name: record[name] for name in self._store_watched(values)}
            record.write(values)
            self._stored(record, before)
            committed = record.read(list(values))[0]
        self._remember(committed)

    def _store_watched(self, values):
        """Fields whose value before a ``_store`` :meth:`_stored` is given."""
        return ()

    def _stored(self, record, before):
        """Called in the side transaction after ``_store`` wrote (a hook)."""

    def _remember(self, values):
        """Show ``values``, committed elsewhere, to this transaction."""
        record = self._committed_record().sudo()
        self.invalidate_recordset()
        record.invalidate_recordset()
        for name, value in values.items():
            if name == "id":
                continue
            field = record._fields[name]
            self.env.cache.set(record, field, field.convert_to_cache(value, record))

    def _committed_read(self, fnames=("state",)):
        """The fields ``fnames`` as last committed by any transaction."""
        with self._committed_env() as record:
            return record.read(list(fnames))[0]
