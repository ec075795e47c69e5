from . import secrets
from . import runtime
from . import common
from . import committed_state
from . import timestamp
from . import imports
from . import schedule
from . import jura
