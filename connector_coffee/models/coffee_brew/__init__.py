from . import common
from . import order
from . import preference
from . import notify
from . import report
