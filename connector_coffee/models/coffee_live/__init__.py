from . import live
from . import systray
