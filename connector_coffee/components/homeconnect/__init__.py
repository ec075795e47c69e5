from . import adapter
from . import authenticator
from . import brew_exporter
