from . import company
from . import beverage
from . import brew
from . import reorder
