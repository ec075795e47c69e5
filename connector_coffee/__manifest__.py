# Copyright 2026 connector_coffee developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Coffee Connector",
    "summary": "Connect coffee machines (Home Connect, JURA) to Odoo: machines, "
    "beverages, brews and alerts through queue jobs",
    "version": "18.0.1.1.0",
    "development_status": "Alpha",
    "category": "Connector",
    "website": "https://github.com/OCA/connector-coffee",
    "author": "connector_coffee developers,Odoo Community Association (OCA)",
    "maintainers": ["connector-coffee"],
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "post_load": "post_load",
    "external_dependencies": {
        "python": ["requests", "connector-coffee-machine", "jura-connect"]
    },
    "depends": [
        "mail",
        "queue_job",
        "component",
        "component_event",
        "connector",
        "maintenance",
        "product",
        "resource",
    ],
    "data": [
        "security/coffee_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "views/coffee_backend_views.xml",
        "views/coffee_machine_views.xml",
        "views/coffee_beverage_views.xml",
        "views/coffee_brew_views.xml",
        "views/coffee_consumption_views.xml",
        "views/coffee_menus.xml",
        "wizards/coffee_brew_wizard_views.xml",
        "views/coffee_busy_views.xml",
        "data/ir_cron_data.xml",
        "data/coffee_dashboard_data.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "connector_coffee/static/src/**/*",
        ],
        "web.assets_unit_tests": [
            "connector_coffee/static/tests/**/*",
            ("remove", "connector_coffee/static/tests/tours/**/*"),
        ],
        "web.assets_tests": [
            "connector_coffee/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/coffee_backend_demo.xml",
    ],
}
