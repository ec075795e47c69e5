from . import common
from . import order
from . import preference
