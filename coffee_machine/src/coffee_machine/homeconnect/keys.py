"""The vocabulary of the Home Connect API for coffee machines.

Home Connect names everything with dotted keys: programs
(``ConsumerProducts.CoffeeMaker.Program.Beverage.Espresso``), options, status
items, settings, events, and the enum values they take. Both halves of this
package speak it: the client to read what a machine says, the simulator to
say it. The constants below are the keys the connector relies on; real
machines also send keys that appear nowhere here (favourites, ``MyCoffee``
slots, cleaning programs), and the client keeps those as they come.

>>> from coffee_machine.homeconnect import keys
>>> keys.enum_value("PowerState", "On")
'BSH.Common.EnumType.PowerState.On'
>>> keys.short_name(keys.PROGRAM_ESPRESSO)
'Espresso'
"""

MEDIA_TYPE = "application/vnd.bsh.sdk.v1+json"
EVENT_STREAM_MEDIA_TYPE = "text/event-stream"
IMAGE_MEDIA_TYPE = "image/jpeg"  # the images of a fridge's camera

APPLIANCE_TYPE = "CoffeeMaker"
DEFAULT_SCOPE = "IdentifyAppliance CoffeeMaker"

# -- programs ---------------------------------------------------------------
PROGRAM_PREFIX = "ConsumerProducts.CoffeeMaker.Program."
BEVERAGE_PREFIX = PROGRAM_PREFIX + "Beverage."
COFFEE_WORLD_PREFIX = PROGRAM_PREFIX + "CoffeeWorld."
CLEANING_PREFIX = PROGRAM_PREFIX + "CleaningModes."
FAVORITE_PREFIX = "BSH.Common.Program.Favorite."

PROGRAM_RISTRETTO = BEVERAGE_PREFIX + "Ristretto"
PROGRAM_ESPRESSO = BEVERAGE_PREFIX + "Espresso"
PROGRAM_ESPRESSO_DOPPIO = BEVERAGE_PREFIX + "EspressoDoppio"
PROGRAM_COFFEE = BEVERAGE_PREFIX + "Coffee"
PROGRAM_XL_COFFEE = BEVERAGE_PREFIX + "XLCoffee"
PROGRAM_CAFFE_GRANDE = BEVERAGE_PREFIX + "CaffeGrande"
PROGRAM_ESPRESSO_MACCHIATO = BEVERAGE_PREFIX + "EspressoMacchiato"
PROGRAM_CAPPUCCINO = BEVERAGE_PREFIX + "Cappuccino"
PROGRAM_LATTE_MACCHIATO = BEVERAGE_PREFIX + "LatteMacchiato"
PROGRAM_CAFFE_LATTE = BEVERAGE_PREFIX + "CaffeLatte"
PROGRAM_MILK_FROTH = BEVERAGE_PREFIX + "MilkFroth"
PROGRAM_WARM_MILK = BEVERAGE_PREFIX + "WarmMilk"
PROGRAM_HOT_WATER = BEVERAGE_PREFIX + "HotWater"

# -- options ----------------------------------------------------------------
OPTION_PREFIX = "ConsumerProducts.CoffeeMaker.Option."
OPTION_BEAN_AMOUNT = OPTION_PREFIX + "BeanAmount"
OPTION_FILL_QUANTITY = OPTION_PREFIX + "FillQuantity"
OPTION_COFFEE_TEMPERATURE = OPTION_PREFIX + "CoffeeTemperature"
OPTION_BEAN_CONTAINER = OPTION_PREFIX + "BeanContainerSelection"
OPTION_FLOW_RATE = OPTION_PREFIX + "FlowRate"
OPTION_MULTIPLE_BEVERAGES = OPTION_PREFIX + "MultipleBeverages"
OPTION_COFFEE_MILK_RATIO = OPTION_PREFIX + "CoffeeMilkRatio"
OPTION_PROGRAM_PROGRESS = "BSH.Common.Option.ProgramProgress"
OPTION_REMAINING_PROGRAM_TIME = "BSH.Common.Option.RemainingProgramTime"

# -- status -----------------------------------------------------------------
STATUS_OPERATION_STATE = "BSH.Common.Status.OperationState"
STATUS_REMOTE_CONTROL_ACTIVE = "BSH.Common.Status.RemoteControlActive"
STATUS_REMOTE_START_ALLOWED = "BSH.Common.Status.RemoteControlStartAllowed"
STATUS_LOCAL_CONTROL_ACTIVE = "BSH.Common.Status.LocalControlActive"
STATUS_DOOR_STATE = "BSH.Common.Status.DoorState"

COUNTER_PREFIX = "ConsumerProducts.CoffeeMaker.Status.BeverageCounter"
COUNTER_FAMILIES = (
    "Coffee",
    "CoffeeAndMilk",
    "FrothyMilk",
    "HotMilk",
    "HotWater",
    "HotWaterCups",
    "Milk",
    "PowderCoffee",
    "RistrettoEspresso",
)
COUNTERS = tuple(COUNTER_PREFIX + family for family in COUNTER_FAMILIES)

# -- settings ---------------------------------------------------------------
SETTING_POWER_STATE = "BSH.Common.Setting.PowerState"
SETTING_CHILD_LOCK = "BSH.Common.Setting.ChildLock"
SETTING_CUP_WARMER = "ConsumerProducts.CoffeeMaker.Setting.CupWarmer"

# -- commands -----------------------------------------------------------------
#: The one command of a coffee maker: confirm the alerts that ask for it
#: (value ``true``), as the machine's OK button does.
COMMAND_ACKNOWLEDGE_EVENT = "BSH.Common.Command.AcknowledgeEvent"

# -- the active program, as notified on the event stream ---------------------
ROOT_ACTIVE_PROGRAM = "BSH.Common.Root.ActiveProgram"
ROOT_SELECTED_PROGRAM = "BSH.Common.Root.SelectedProgram"

# -- events -----------------------------------------------------------------
EVENT_PREFIX = "ConsumerProducts.CoffeeMaker.Event."
EVENT_BEAN_CONTAINER_EMPTY = EVENT_PREFIX + "BeanContainerEmpty"
EVENT_WATER_TANK_EMPTY = EVENT_PREFIX + "WaterTankEmpty"
EVENT_DRIP_TRAY_FULL = EVENT_PREFIX + "DripTrayFull"
EVENT_KEEP_MILK_TANK_COOL = EVENT_PREFIX + "KeepMilkTankCool"
EVENT_DESCALING_IN = {n: f"{EVENT_PREFIX}DescalingIn{n}Cups" for n in (20, 15, 10, 5)}
EVENT_CALC_N_CLEAN_IN = {
    n: f"{EVENT_PREFIX}CalcNCleanIn{n}Cups" for n in (20, 15, 10, 5)
}
EVENT_SHOULD_BE_DESCALED = EVENT_PREFIX + "DeviceShouldBeDescaled"
EVENT_SHOULD_BE_CLEANED = EVENT_PREFIX + "DeviceShouldBeCleaned"
EVENT_SHOULD_BE_CALC_N_CLEANED = EVENT_PREFIX + "DeviceShouldBeCalcNCleaned"
EVENT_DESCALING_OVERDUE = EVENT_PREFIX + "DeviceDescalingOverdue"
EVENT_CLEANING_OVERDUE = EVENT_PREFIX + "DeviceCleaningOverdue"
EVENT_CALC_N_CLEAN_OVERDUE = EVENT_PREFIX + "DeviceCalcNCleanOverdue"
EVENT_DESCALING_BLOCKAGE = EVENT_PREFIX + "DeviceDescalingBlockage"
EVENT_CALC_N_CLEAN_BLOCKAGE = EVENT_PREFIX + "DeviceCalcNCleanBlockage"
EVENT_PROGRAM_FINISHED = "BSH.Common.Event.ProgramFinished"
EVENT_PROGRAM_ABORTED = "BSH.Common.Event.ProgramAborted"
EVENT_APPLIANCE_CONNECTED = "BSH.Common.Appliance.Connected"
EVENT_APPLIANCE_DISCONNECTED = "BSH.Common.Appliance.Disconnected"

# -- enum values -------------------------------------------------------------
ENUM_PREFIX = "BSH.Common.EnumType."
COFFEE_ENUM_PREFIX = "ConsumerProducts.CoffeeMaker.EnumType."


def enum_value(enum_type, value):
    """Return the full key of a ``BSH.Common.EnumType`` value."""
    return f"{ENUM_PREFIX}{enum_type}.{value}"


def coffee_enum_value(enum_type, value):
    """Return the full key of a ``ConsumerProducts.CoffeeMaker.EnumType`` value."""
    return f"{COFFEE_ENUM_PREFIX}{enum_type}.{value}"


def short_name(key):
    """Return the last dotted part of a key: ``...Beverage.Espresso`` → ``Espresso``."""
    return key.rsplit(".", 1)[-1] if key else key


POWER_ON = enum_value("PowerState", "On")
POWER_STANDBY = enum_value("PowerState", "Standby")
POWER_OFF = enum_value("PowerState", "Off")

OPERATION_STATES = (
    "Inactive",
    "Ready",
    "DelayedStart",
    "Run",
    "Pause",
    "ActionRequired",
    "Finished",
    "Error",
    "Aborting",
)
OPERATION_INACTIVE = enum_value("OperationState", "Inactive")
OPERATION_READY = enum_value("OperationState", "Ready")
OPERATION_RUN = enum_value("OperationState", "Run")
OPERATION_ACTION_REQUIRED = enum_value("OperationState", "ActionRequired")
OPERATION_FINISHED = enum_value("OperationState", "Finished")
OPERATION_ERROR = enum_value("OperationState", "Error")
OPERATION_ABORTING = enum_value("OperationState", "Aborting")

EVENT_PRESENT = enum_value("EventPresentState", "Present")
EVENT_OFF = enum_value("EventPresentState", "Off")
EVENT_CONFIRMED = enum_value("EventPresentState", "Confirmed")

DOOR_CLOSED = enum_value("DoorState", "Closed")

BEAN_AMOUNTS = (
    "VeryMild",
    "Mild",
    "MildPlus",
    "Normal",
    "NormalPlus",
    "Strong",
    "StrongPlus",
    "VeryStrong",
    "VeryStrongPlus",
    "ExtraStrong",
    "DoubleShot",
    "DoubleShotPlus",
    "DoubleShotPlusPlus",
    "TripleShot",
    "TripleShotPlus",
    "CoffeeGround",
)
COFFEE_TEMPERATURES = ("88C", "90C", "92C", "94C", "95C", "96C")

# -- error keys ---------------------------------------------------------------
ERROR_INVALID_TOKEN = "invalid_token"
ERROR_INSUFFICIENT_SCOPE = "insufficient_scope"
ERROR_NOT_FOUND = "SDK.Error.NotFound"
ERROR_NO_PROGRAM_ACTIVE = "SDK.Error.NoProgramActive"
ERROR_NO_PROGRAM_SELECTED = "SDK.Error.NoProgramSelected"
ERROR_NOT_ACCEPTABLE = "406"
ERROR_UNSUPPORTED_MEDIA_TYPE = "415"
ERROR_REQUEST_TIMEOUT = "SDK.Error.408.RequestTimeout"
ERROR_OFFLINE = "SDK.Error.HomeAppliance.Connection.Initialization.Failed"
ERROR_WRONG_OPERATION_STATE = "SDK.Error.WrongOperationState"
ERROR_REMOTE_START_NOT_ALLOWED = "SDK.Error.RemoteStartNotAllowed"
ERROR_PROGRAM_NOT_AVAILABLE = "SDK.Error.ProgramNotAvailable"
ERROR_UNSUPPORTED_PROGRAM = "SDK.Error.UnsupportedProgram"
ERROR_UNSUPPORTED_OPTION = "SDK.Error.UnsupportedOption"
ERROR_UNSUPPORTED_SETTING = "SDK.Error.UnsupportedSetting"
ERROR_TOO_MANY_REQUESTS = "429"
ERROR_INTERNAL = "Internal Server Error"
UNSUPPORTED_KEYS = (
    ERROR_PROGRAM_NOT_AVAILABLE,
    ERROR_UNSUPPORTED_PROGRAM,
    ERROR_UNSUPPORTED_OPTION,
    ERROR_UNSUPPORTED_SETTING,
)

# -- added by the simulator half (keys seen on the real API) ------------------
ERROR_RESOURCE_NOT_FOUND = "404"  # the spec's NotFoundError key (unknown haId)
ERROR_UNSUPPORTED_STATUS = "SDK.Error.UnsupportedStatus"
ERROR_INVALID_OPTION_VALUE = "SDK.Error.InvalidOptionValue"
ERROR_INVALID_SETTING_STATE = "SDK.Error.InvalidSettingState"
ERROR_BAD_REQUEST = "400"
ERROR_ACTIVE_PROGRAM_NOT_SET = "SDK.Error.ActiveProgramNotSet"
ERROR_SELECTED_PROGRAM_NOT_SET = "SDK.Error.SelectedProgramNotSet"
ERROR_UNSUPPORTED_COMMAND = "SDK.Error.UnsupportedCommand"
EVENT_APPLIANCE_PAIRED = "BSH.Common.Appliance.Paired"
EVENT_APPLIANCE_DEPAIRED = "BSH.Common.Appliance.Depaired"


# -- which counters a beverage grows ------------------------------------------
#: Beverage → the ``BeverageCounter<Family>`` counters it grows (besides the
#: total ``BeverageCounter``, which every beverage grows). CoffeeWorld drinks
#: with milk count as CoffeeAndMilk, the black ones as Coffee.
BEVERAGE_COUNTER_FAMILIES = {
    PROGRAM_RISTRETTO: ("RistrettoEspresso",),
    PROGRAM_ESPRESSO: ("RistrettoEspresso",),
    PROGRAM_ESPRESSO_DOPPIO: ("RistrettoEspresso",),
    PROGRAM_COFFEE: ("Coffee",),
    PROGRAM_XL_COFFEE: ("Coffee",),
    PROGRAM_CAFFE_GRANDE: ("Coffee",),
    PROGRAM_ESPRESSO_MACCHIATO: ("CoffeeAndMilk",),
    PROGRAM_CAPPUCCINO: ("CoffeeAndMilk",),
    PROGRAM_LATTE_MACCHIATO: ("CoffeeAndMilk",),
    PROGRAM_CAFFE_LATTE: ("CoffeeAndMilk",),
    PROGRAM_MILK_FROTH: ("FrothyMilk",),
    PROGRAM_WARM_MILK: ("HotMilk",),
    PROGRAM_HOT_WATER: ("HotWater", "HotWaterCups"),
}
BLACK_COFFEE_WORLD = frozenset(
    {"Verlaengerter", "Doppio", "Kaapi", "Americano", "RedEye", "BlackEye", "DeadEye"}
)


def counter_families(program_key):
    """The counter families a beverage grows (empty for unknown programs).

    >>> counter_families(PROGRAM_CAPPUCCINO)
    ('CoffeeAndMilk',)
    """
    if program_key in BEVERAGE_COUNTER_FAMILIES:
        return BEVERAGE_COUNTER_FAMILIES[program_key]
    if (program_key or "").startswith(COFFEE_WORLD_PREFIX):
        return (
            ("Coffee",)
            if short_name(program_key) in BLACK_COFFEE_WORLD
            else ("CoffeeAndMilk",)
        )
    return ()
