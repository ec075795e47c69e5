from . import coffee_machine
