"""JURA Smart Connect: the local WiFi protocol of JURA coffee machines.

A JURA bean-to-cup machine (an S8, an E6, a Z10...) talks to the world through
a *Smart Connect* dongle plugged into its service port. The dongle joins the
WiFi and serves one protocol on port 51515 of the local network, with no cloud
in between:

* UDP/51515: discovery. A 16-byte scan probe, answered by a datagram that
  names the machine (firmware, user-given name, article number, status);
* TCP/51515: one long-lived session at a time. Every frame is
  ``*`` + an obfuscated body + ``\\r\\n``; the body is ASCII text such as
  ``@TG:43`` (read the maintenance counters) or ``@TP:<recipe>`` (brew). The
  session opens with an ``@HP:`` handshake: a new device is *paired* by
  someone pressing OK on the machine's display, which hands it a 64-hex
  authentication hash for next time. Once connected the machine pushes its
  status (``@TF:``, alert bits) every two seconds and, while it brews, its
  progress (``@TV:``).

The connector does not write a JURA client: it uses ``jura-connect`` (PyPI,
MIT, pure Python), reverse-engineered from JURA's J.O.E. app and verified
against an S8 (EB). This package holds only the other side, the *machine*:

``coffee_machine.jura.simulator``
    Simulated JURA machines with their Smart Connect dongles, one TCP port
    each, for tests, demos and anyone without a coffee machine. It shares no
    code with ``jura-connect`` (and does not import it): it is written from
    the protocol facts, so that running the unmodified client against it
    proves something.

The protocol facts it needs (framing, cipher, handshake, the frames of a
brew, the product catalogue of one machine type) live beside the code that
uses them, in :mod:`.simulator`'s modules and in its bundled profile.
"""
