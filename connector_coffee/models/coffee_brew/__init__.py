from . import common
from . import order
