# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Secrets that can be read by their holders and used by nobody in a query.

A field of a coffee backend is a *secret* when it carries the connector
managers' group (``groups=SECRET_GROUPS``): the client secret, the tokens,
the OAuth state and verifier, the device code, the JURA pairing. Odoo hides
such a field from everyone outside the group; but a manager, who may read
it on the form, could also put it in a query, and a query answers more than
a form does: ``[("runtime_id.access_token", "=like", "a%")]`` tells a token
one letter at a time to whoever can only count records, and a group by or an
aggregate (``client_secret:max``) lists secrets without opening a record.

So every query that filters, sorts, groups or aggregates on a secret is
refused with an ``AccessError``, whoever asks, but the connector itself
(the superuser: the OAuth callback looks up the state it issued that way).
A domain that walks into a secret through a relation is refused too: Odoo
turns it into a sub-query of the secret's own model, which asks the same.

The models that hold secrets inherit ``coffee.secret.mixin``; which of their
fields are secret is said once, by the field's own ``groups``.
"""

from odoo import _, models
from odoo.exceptions import AccessError

SECRET_GROUPS = "connector.group_connector_manager"


class CoffeeSecretMixin(models.AbstractModel):
    _name = "coffee.secret.mixin"
    _description = "Secrets of the Coffee Connector, kept out of queries"

    def _secret_field_names(self):
        return {
            name
            for name, field in self._fields.items()
            if field.groups == SECRET_GROUPS
        }

    def _refuse_secret_in_query(self, spec):
        """Raise unless ``spec`` (``field``, ``field.path``, ``field:how``)
        names no secret of this model, or the connector itself asks."""
        fname = spec.split(":", 1)[0].split(".", 1)[0].strip()
        if not self.env.su and fname in self._secret_field_names():
            raise AccessError(
                _(
                    "The secrets of a coffee backend cannot be searched, sorted "
                    "or grouped by (%(field)s).",
                    field=fname,
                )
            )

    def _condition_to_sql(self, alias, fname, operator, value, query):
        self._refuse_secret_in_query(fname)
        return super()._condition_to_sql(alias, fname, operator, value, query)

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        self._refuse_secret_in_query(field_name)
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    def _read_group_groupby(self, groupby_spec, query):
        self._refuse_secret_in_query(groupby_spec)
        return super()._read_group_groupby(groupby_spec, query)

    def _read_group_select(self, aggregate_spec, query):
        self._refuse_secret_in_query(aggregate_spec)
        return super()._read_group_select(aggregate_spec, query)
