from . import core
from . import binder
from . import backend_adapter
from . import brew_exporter
from . import mapper
from . import importer
from . import machine
from . import homeconnect
