from . import cli
from . import components
from . import controllers
from . import models
from . import wizards
