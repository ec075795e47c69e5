from . import adapter
from . import authenticator
from . import brew_exporter
from . import machine
from . import catalogue
from . import state
from . import events
from . import stream
