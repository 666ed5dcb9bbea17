"""The camera registry: where each camera is, who owns it, and whether it is alive.

Cameras report heartbeats over MQTT (``safecity/cameras/<id>/status``) or REST;
a camera silent for longer than its allowance is marked offline and raises an
alert. No face recognition happens anywhere in this package or its callers.
"""
