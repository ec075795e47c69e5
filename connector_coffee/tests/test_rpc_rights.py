# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every public method of the connector is an RPC endpoint: try them all.

An employee (internal user + *Coffee User*) logs in over HTTP and calls,
through ``/web/dataset/call_kw`` as the web client would, every public
method that ``connector_coffee`` defines on any model, found by walking the
models' classes (a method added later is tried too). Only what an employee
may do answers; the rest is an ``AccessError``. The job entry points are
private: Odoo refuses to call them remotely at all.
"""

import inspect

from odoo import models
from odoo.tests import tagged

from .common import CoffeeHttpCase, new_employee

ACCESS_ERROR = "odoo.exceptions.AccessError"

#: what an employee may call: their brews' buttons, the wizard, and the
#: buttons that only open a list or a form (each checks what it opens)
EMPLOYEE_METHODS = {
    ("coffee.brew", "action_queue"),
    ("coffee.brew", "action_cancel"),
    ("coffee.brew", "action_stop"),
    ("coffee.brew", "action_brew_again"),
    ("coffee.brew.wizard", "action_brew"),
    ("coffee.brew", "systray_get_coffee"),
    ("coffee.brew", "systray_brew"),
    # Odoo's own, extended with the flag that shows the cup: what it answers
    # is the caller's own session information
    ("ir.http", "session_info"),
    ("coffee.backend", "action_open_machines"),
    ("coffee.backend", "action_open_beverages"),
    ("coffee.backend", "action_open_brews"),
    ("coffee.machine", "action_open_brews"),
    ("coffee.machine", "action_open_beverages"),
    ("coffee.machine", "action_open_alerts"),
    ("coffee.beverage", "action_open_machines"),
    ("coffee.beverage", "action_open_brews"),
    ("maintenance.equipment", "action_open_coffee_machine"),
    ("coffee.dashboard.tile", "action_open"),
}

#: the queue jobs, called by the job runner only
JOB_METHODS = (
    ("coffee.backend", "_import_machines"),
    ("coffee.backend", "_import_catalogue"),
    ("coffee.backend", "_import_states"),
    ("coffee.backend", "_handle_events"),
    ("coffee.backend", "_poll_device_authorization"),
    ("coffee.machine", "_import_state"),
    ("coffee.machine", "_import_catalogue"),
    ("coffee.brew", "_export_brew"),
    ("coffee.brew", "_follow_brew"),
    ("coffee.brew", "_stop_brew"),
)


def connector_public_methods(env):
    """``(model, method)`` of every public method connector_coffee defines,
    ORM methods it overrides aside (those are checked by the ORM)."""
    orm = set(dir(models.BaseModel))
    found = set()
    for name in env.registry:
        for cls in type(env[name]).__mro__:
            if not cls.__module__.startswith("odoo.addons.connector_coffee."):
                continue
            for attr, value in vars(cls).items():
                if attr.startswith("_") or attr in orm or not inspect.isfunction(value):
                    continue
                found.add((name, attr))
    return found


@tagged("post_install", "-at_install")
class TestRpcRights(CoffeeHttpCase):
    def setUp(self):
        super().setUp()
        self.authorize()
        self.machine = self.make_machine_binding()
        self.employee = new_employee(self.env, "rpc-employee")
        self.authenticate("rpc-employee", "rpc-employee")

    def record_ids(self, model):
        return self.env[model].search([], limit=1).ids

    def test_the_walk_finds_the_backend_buttons(self):
        methods = connector_public_methods(self.env)
        self.assertIn(("coffee.backend", "action_authorize"), methods)
        self.assertIn(("coffee.machine", "action_refresh"), methods)
        self.assertIn(("coffee.brew", "action_queue"), methods)

    def test_every_other_public_method_refuses_an_employee(self):
        refused = sorted(connector_public_methods(self.env) - EMPLOYEE_METHODS)
        self.assertGreater(len(refused), 8)
        for model, method in refused:
            with self.subTest(method=f"{model}.{method}"):
                answer = self.call_kw(model, method, [self.record_ids(model)])
                self.assertEqual(answer, ACCESS_ERROR)

    def test_job_methods_cannot_be_called_remotely(self):
        events = [
            {
                "ha_id": self.machine.external_id,
                "key": "ConsumerProducts.CoffeeMaker.Event.BeanContainerEmpty",
                "value": "BSH.Common.EnumType.EventPresentState.Present",
            }
        ]
        for model, method in JOB_METHODS:
            args = [self.record_ids(model)]
            if method == "_handle_events":
                args.append(events)
            with self.subTest(method=f"{model}.{method}"):
                self.assertEqual(self.call_kw(model, method, args), ACCESS_ERROR)
        self.assertFalse(self.machine.maintenance_request_ids)
