from . import common
from . import counters
from . import alerts
from . import imports
from . import stream
