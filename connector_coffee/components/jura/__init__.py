from . import keys
from . import adapter
from . import authenticator
from . import discovery
from . import machine
from . import catalogue
from . import state
from . import brew_exporter
