"""Response units: fleet, status with timers, and AVL positions (REST and MQTT)."""
