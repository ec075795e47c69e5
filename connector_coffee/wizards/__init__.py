from . import coffee_brew_wizard
