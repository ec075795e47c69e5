from . import cli
from . import components
from . import controllers
from . import models
from . import wizards
from .events_thread import post_load
