"""`atom satellite`: the device end. It captures audio from a source (mic://, file://, stdin://),
runs the wake stage locally, streams commands to Atom over Wyoming and plays the replies.
"""

from appliance.voice.satellite.client import SatelliteClient, run_satellite
from appliance.voice.satellite.sinks import open_sink
from appliance.voice.satellite.sources import open_source

__all__ = ["SatelliteClient", "open_sink", "open_source", "run_satellite"]
