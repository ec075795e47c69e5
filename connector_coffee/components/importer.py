# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The importers: from the API's records to Odoo bindings, never twice.

Two kinds of importers, as in every OCA connector:

* a **record importer** (``record.importer``) imports one record of the API.
  Its ``run(external_id, data=None)`` goes through fixed steps, each a
  method a subclass can override alone::

      lock         advisory lock on (backend, model, external id): two jobs
                   importing the same record wait for each other (retry)
      fetch        _get_external_data()     (skipped when ``data`` is given)
      skip?        _must_skip()             e.g. not a coffee machine
      before       _before_import()
      dependencies _import_dependencies()   imported first, in the same job
      map          the ``import.mapper`` of the model
      up to date?  _is_uptodate()           nothing changed: nothing written
      write        _create() / _update()    inside _retry_unique_violation
      bind         binder.bind(external_id, binding)
      after        _after_import(binding)

  and returns a sentence saying what it did;
* a **batch importer** (``batch.importer``) lists records and imports each
  one: directly in the same job (``coffee.direct.batch.importer``, when the
  listing already holds everything and a job per record would only add
  calls) or through one job per record (``coffee.delayed.batch.importer``).

No duplicate, ever. The advisory lock is released when the job's transaction
ends; a second job that took its snapshot earlier does not see the first
one's binding and tries to create it again (connector-magento#165). The
unique SQL constraints of the bindings refuse it, and
``_retry_unique_violation`` turns that refusal into a retry of the job, which
then finds the binding and updates it.

Example, a Home Connect machine::

    with backend.work_on("coffee.machine") as work:
        importer = work.component(usage="record.importer")
        importer.run("BOSCH-HCS06COM1-0123", data=appliance)
"""

from odoo import _

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..concurrency import unique_or_retry


class CoffeeImporter(AbstractComponent):
    """What every importer of the connector shares."""

    _name = "coffee.importer"
    _inherit = ["base.importer", "base.coffee.connector"]

    def _retry_unique_violation(self):
        """Turn a unique violation (a concurrent job won) into a retry.

        The block runs in a savepoint, so the job's transaction stays usable
        (and the test's, in tests); the job is retried at once, and its
        next run finds the record the other job created (``concurrency.py``).
        """
        return unique_or_retry(
            self.env.cr,
            RetryableJobError(
                _(
                    "Another job created the same %(model)s at the same "
                    "moment; this job will run again and update it.",
                    model=self.model._description,
                ),
                seconds=1,
                ignore_retry=True,
            ),
        )


class CoffeeRecordImporter(AbstractComponent):
    """Import one record of the API (see the module docstring)."""

    _name = "coffee.record.importer"
    _inherit = "coffee.importer"
    _usage = "record.importer"

    def __init__(self, work_context):
        super().__init__(work_context)
        self.external_id = None
        self.external_data = None

    def run(self, external_id, data=None, force=False):
        """Import ``external_id``; return what was done, in words."""
        self.external_id = external_id
        self.advisory_lock_or_retry(self._lock_name(), retry_seconds=2)
        self.external_data = data if data is not None else self._get_external_data()
        skip = self._must_skip()
        if skip:
            return skip
        binding = self.binder.to_internal(external_id)
        self._before_import(binding)
        self._import_dependencies()
        map_record = self.mapper.map_record(self.external_data)
        if binding:
            values = map_record.values()
            if not force and self._is_uptodate(binding, values):
                return self._up_to_date_message(binding)
            done = _("updated")
        else:
            values = map_record.values(for_create=True)
            values[self.binder._external_field] = external_id
            done = _("created")
        # the writes and the binding in one savepoint: a concurrent job's
        # record is refused there by the unique constraints, not at commit
        with self._retry_unique_violation():
            if binding:
                self._update(binding, values)
            else:
                binding = self._create(values)
            self.binder.bind(external_id, binding)
        self._after_import(binding)
        return _("%(record)s %(done)s.", record=binding.display_name, done=done)

    def _lock_name(self):
        backend = self.backend_record
        return (
            f"import({backend._name}, {backend.id}, {self.model._name}, "
            f"{self.external_id})"
        )

    def _get_external_data(self):
        """The record as the adapter reads it (a dict)."""
        raise NotImplementedError

    def _must_skip(self):
        """A sentence when the record must not be imported, else ``""``."""
        return ""

    def _before_import(self, binding):
        """Hook before mapping (``binding`` is empty for a new record)."""

    def _import_dependencies(self):
        """Import what the record needs first (see ``_import_dependency``)."""

    def _import_dependency(self, external_id, binding_model, data=None):
        """Import ``external_id`` of ``binding_model`` now, if not bound yet."""
        if self.binder_for(binding_model).to_internal(external_id):
            return
        importer = self.component(usage="record.importer", model_name=binding_model)
        importer.run(external_id, data=data)

    def _is_uptodate(self, binding, values):
        """Whether ``binding`` already holds every value of ``values``."""
        return all(
            self._same_value(binding, name, value) for name, value in values.items()
        )

    @staticmethod
    def _same_value(binding, name, value):
        field = binding._fields.get(name)
        if field is None:
            return False
        current = binding[name]
        if field.type == "many2one":
            return current.id == (value or False)
        if field.type in ("one2many", "many2many"):
            return False
        return field.convert_to_write(current, binding) == (
            value if value is not None else False
        )

    def _up_to_date_message(self, binding):
        return _("%s is already up to date.", binding.display_name)

    def _create(self, values):
        return self.model.with_context(connector_no_export=True).create(values)

    def _update(self, binding, values):
        binding.with_context(connector_no_export=True).write(values)

    def _after_import(self, binding):
        """Hook after the binding is written and bound."""


class CoffeeBatchImporter(AbstractComponent):
    """List the records of the API and import each one."""

    _name = "coffee.batch.importer"
    _inherit = "coffee.importer"
    _usage = "batch.importer"

    def run(self, **kwargs):
        """Import every record listed; return a summary in words."""
        records = self._list_records(**kwargs)
        results = [
            self._import_record(external_id, data) for external_id, data in records
        ]
        results.append(self._after_batch([external_id for external_id, __ in records]))
        return self._summary(results)

    def _list_records(self, **kwargs):
        """``[(external_id, data or None)]`` of the records to import."""
        raise NotImplementedError

    def _import_record(self, external_id, data):
        raise NotImplementedError

    def _after_batch(self, external_ids):
        """Hook after the batch, with every external id that was listed.

        May return a sentence for the job's result.
        """

    def _summary(self, results):
        return "\n".join(str(result) for result in results if result)


class CoffeeDirectBatchImporter(AbstractComponent):
    """Import each record in the same job (the listing holds all the data)."""

    _name = "coffee.direct.batch.importer"
    _inherit = "coffee.batch.importer"

    def _import_record(self, external_id, data):
        importer = self.component(usage="record.importer")
        return importer.run(external_id, data=data)


class CoffeeDelayedBatchImporter(AbstractComponent):
    """Import the records in jobs of their own, ``_batch_size`` a job.

    The records are bindings Odoo already has (for instance the machines,
    whose state is refreshed): ``_list_records`` yields
    ``(external_id, binding)`` and each slice of ``_batch_size`` bindings
    gets a job calling their ``_job_method``, deduplicated: a job already
    waiting is not queued twice. One record a job (the default) keeps the
    retries of each apart; a larger batch shares queue_job's own cost of a
    job (some twenty queries) among its records, and its job method keeps
    their failures apart itself. When every record fits in one slice, this
    job reads them itself: a job of their own would only add that cost (an
    office's few machines are refreshed by one job, not two).
    """

    _name = "coffee.delayed.batch.importer"
    _inherit = "coffee.batch.importer"

    #: the method of the bindings that the job of each batch calls
    _job_method = None
    #: bindings a job
    _batch_size = 1

    def _list_records(self, **kwargs):
        bindings = self.model.search([("backend_id", "=", self.backend_record.id)])
        return [(binding.external_id, binding) for binding in bindings]

    def run(self, **kwargs):
        bindings = self.model.browse()
        for __, binding in self._list_records(**kwargs):
            bindings |= binding
        size = self._batch_size
        batches = [
            bindings[start : start + size] for start in range(0, len(bindings), size)
        ]
        if len(batches) == 1:
            result = getattr(batches[0], self._job_method)()
        else:
            for batch in batches:
                delayed = batch.with_delay(
                    identity_key=identity_exact,
                    description=self._job_description(batch),
                )
                getattr(delayed, self._job_method)()
            result = _("%(count)d job(s) queued.", count=len(batches))
        self._after_batch(bindings.mapped("external_id"))
        return result

    def _job_description(self, bindings):
        return None
