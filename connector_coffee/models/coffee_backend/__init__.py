from . import common
from . import committed_state
