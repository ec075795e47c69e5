from . import common
from . import actions
