from . import tile
