from . import core
from . import binder
from . import backend_adapter
from . import brew_exporter
from . import homeconnect
