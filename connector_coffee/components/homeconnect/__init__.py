from . import adapter
from . import authenticator
from . import machine
from . import catalogue
from . import state
from . import events
