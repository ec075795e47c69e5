"""Coffee machine protocols, without Odoo.

``coffee_machine`` holds one sub-package per machine protocol, each with up to
two halves that mirror each other:

* ``client``: how the connector talks to a real machine (typed calls, typed
  errors, OAuth helpers, an event-stream reader), unless an existing library
  already does;
* ``simulator``: a local machine that speaks the same protocol over the real
  network, for tests, demos and anyone without a coffee machine.

The first protocol is Home Connect (``coffee_machine.homeconnect``), the cloud
API of Siemens, Bosch, Neff and Gaggenau bean-to-cup machines. The second is
JURA Smart Connect (``coffee_machine.jura``), the local WiFi protocol of JURA
machines: its client is an existing library (``jura-connect``), so that
package holds only the simulator half. Both simulators take their time from
:mod:`coffee_machine.clock`.

Nothing here imports Odoo: the package installs and tests on its own.
"""
