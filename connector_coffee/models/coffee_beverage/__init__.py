from . import common
from . import option_value
from . import actions
